import type { ReactNode } from 'react';
import { Badge, OutcomeBadge, StatusBadge } from '@/components/ui/badge';
import { Time } from '@/components/ui/time';
import { showControlCharacters } from '@/lib/audit/display';
import { currentSettings } from '@/lib/config/settings';
import type { RequesterDTO, TicketCanDTO } from '@/lib/dal/tickets';
import { MfaResetRequest } from './mfa-reset-request';
import { RevealField, UnlockRequesterButton } from './requester-actions';
import { RequesterLinks } from './requester-links';

const panel = 'rounded-xl bg-white p-5 shadow-sm ring-1 ring-slate-200';

function Row({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div className="py-2">
      <dt className="text-xs font-medium uppercase tracking-wide text-slate-500">{label}</dt>
      <dd className="mt-0.5 text-sm text-slate-800">{children}</dd>
    </div>
  );
}

/**
 * The requester's account as the policy lets the viewer see it (masked fields
 * stay masked until revealed with a reason). Null means the viewer may not see
 * the account now: for an agent, once the ticket is resolved, closed or
 * reassigned; only a neutral note is shown then.
 */
export async function RequesterPanel({
  ticketId,
  requester,
  can,
  isAgent,
  mfaReset,
}: {
  ticketId: string;
  requester: RequesterDTO | null;
  can: TicketCanDTO;
  isAgent: boolean;
  mfaReset: { status: string; createdAt: Date; decidedAt: Date | null } | null;
}) {
  const settings = await currentSettings();
  if (!requester) {
    return (
      <section aria-label="Requester" className={`${panel} text-sm text-slate-600`}>
        {isAgent
          ? 'The requester’s account is visible only while this ticket is open and assigned to you.'
          : 'The requester’s account is not available.'}
      </section>
    );
  }
  return (
    <section aria-labelledby="requester-title" data-testid="requester-panel" className={panel}>
      <h2 id="requester-title" className="text-base font-semibold text-slate-900">
        Requester
      </h2>
      <dl className="mt-2 divide-y divide-slate-100">
        <Row label="Name">{showControlCharacters(requester.name)}</Row>
        <Row label="Account">
          <span className="flex flex-wrap gap-1.5">
            <StatusBadge status={requester.status} />
            {requester.locked ? <Badge tone="red">Locked</Badge> : null}
            {requester.invited ? <Badge tone="sky">Invited</Badge> : null}
          </span>
        </Row>
        <Row label="Email">
          {requester.email.masked ? (
            <RevealField ticketId={ticketId} field="email" masked={requester.email.value} canReveal={can.revealRequester} />
          ) : (
            showControlCharacters(requester.email.value)
          )}
        </Row>
        <Row label="Phone">
          {requester.phone === null ? (
            <span className="text-slate-500">Not on file</span>
          ) : requester.phone.masked ? (
            <RevealField ticketId={ticketId} field="phone" masked={requester.phone.value} canReveal={can.revealRequester} />
          ) : (
            showControlCharacters(requester.phone.value)
          )}
        </Row>
        <Row label="Second factors">{requester.factorTypes.length > 0 ? requester.factorTypes.join(', ') : 'None enrolled'}</Row>
        <Row label="Recent sign-ins">
          {requester.recentSignIns.length === 0 ? (
            <span className="text-slate-500">No sign-ins on record.</span>
          ) : (
            <ul className="space-y-1">
              {requester.recentSignIns.map((s, i) => (
                <li key={i} className="flex flex-wrap items-center gap-2 text-xs text-slate-700">
                  <Time value={s.ts} />
                  <OutcomeBadge outcome={s.outcome} />
                  {s.reasonCode ? <span className="font-mono text-slate-500">{showControlCharacters(s.reasonCode)}</span> : null}
                </li>
              ))}
            </ul>
          )}
        </Row>
      </dl>
      {can.unlockRequester && requester.locked ? (
        <div className="mt-3 border-t border-slate-100 pt-3">
          <UnlockRequesterButton ticketId={ticketId} name={requester.name} />
        </div>
      ) : null}
      {(can.resendInvitation && !requester.hasPassword) || (can.sendPasswordReset && requester.hasPassword) ? (
        <div className="mt-3 border-t border-slate-100 pt-3">
          <RequesterLinks
            ticketId={ticketId}
            canInvite={can.resendInvitation && !requester.hasPassword}
            canReset={can.sendPasswordReset && requester.hasPassword}
            invitationTtlMs={settings['invitations.ttl']}
            resetTtlMs={settings['password_reset.ttl']}
          />
        </div>
      ) : null}
      {can.requestMfaReset || mfaReset ? (
        <div className="mt-3 border-t border-slate-100 pt-3">
          <MfaResetRequest
            ticketId={ticketId}
            requesterId={requester.id}
            status={mfaReset}
            canRequest={can.requestMfaReset}
            canApprove={!isAgent}
          />
        </div>
      ) : null}
    </section>
  );
}
