'use client';

import { useRouter } from 'next/navigation';
import { useId, useState, type ReactNode } from 'react';
import { OperationDialog } from '@/components/operation-dialog';
import { Button } from '@/components/ui/button';
import { showControlCharacters } from '@/lib/audit/display';
import { OPERATIONS, type OperationId } from '@/policies/operations';
import { SUSPENDABLE_ROLES } from '@/policies/rules';
import { suspendRoleAction } from '../../roles/_actions/suspend-role';
import { usePerform, type UserAction } from '../../users/[id]/_components/use-perform';
import { revokeUserSessionsAction } from '../../users/_actions/revoke-user-sessions';
import { suspendUserAction } from '../../users/_actions/suspend-user';
import { revokeAllSessionsAction } from '../_actions/revoke-all-sessions';
import { setLockdownAction } from '../_actions/set-lockdown';
import { plural } from './incident-format';

export interface ContainmentSubject {
  id: string;
  name: string;
  role: string;
  status: string;
}

type LockdownMode = 'read_only' | 'sign_out';

const MODE_LABELS: Record<LockdownMode, string> = {
  read_only: 'Read-only for everyone but superadmins',
  sign_out: 'Sign everyone but superadmins out',
};

/** One containment step: its button, its confirmation dialog, the call and how its outcome reads. */
interface Step {
  key: string;
  op: OperationId;
  action: UserAction;
  input: Record<string, unknown>;
  button: string;
  title: string;
  confirm: string;
  blast: ReactNode;
  outcome: (data: unknown) => string;
}

const ended = (data: unknown) => (data as { sessionsEnded?: number } | null)?.sessionsEnded ?? 0;

const CONFIRM_NOTE = 'You will be asked to confirm it is you. The action is recorded on this incident’s timeline.';

/**
 * Containment from an incident: per person named by the linked alerts, end
 * their sessions, suspend them, or (superadmin) suspend their role; and for
 * superadmins, end every session or turn lockdown on/off. Each step has one
 * confirmation dialog with its blast radius and a required reason, then the
 * step-up; the input carries the incident id, so the audit event lands on the
 * timeline. The server decides again on every call.
 */
export function ContainmentPanel({
  incidentId,
  subjects,
  isSuperadmin,
  lockdown,
}: {
  incidentId: string;
  subjects: ContainmentSubject[];
  isSuperadmin: boolean;
  lockdown: { enabled: boolean; mode: LockdownMode };
}) {
  const router = useRouter();
  const { perform, dialog } = usePerform();
  const [open, setOpen] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [mode, setMode] = useState<LockdownMode>(lockdown.mode);
  const modeId = useId();

  const personSteps: Step[] = subjects.flatMap((s) => {
    const name = showControlCharacters(s.name);
    const steps: Step[] = [
      {
        key: `sessions:${s.id}`,
        op: 'user.revoke_sessions',
        action: revokeUserSessionsAction,
        input: { id: s.id, incidentId },
        button: `End all sessions of ${name}`,
        title: `End all of ${name}’s sessions?`,
        confirm: 'End sessions',
        blast: (
          <p>
            Every session of <strong>{name}</strong> ends now; each browser is signed out on its next request. The account stays active, so
            they can sign in again — suspend them to keep them out.
          </p>
        ),
        outcome: (d) => `Ended ${plural(ended(d), 'session')} of ${name}.`,
      },
    ];
    if (s.status === 'active')
      steps.push({
        key: `suspend:${s.id}`,
        op: 'user.suspend',
        action: suspendUserAction,
        input: { id: s.id, incidentId },
        button: `Suspend ${name}`,
        title: `Suspend ${name}?`,
        confirm: 'Suspend user',
        blast: (
          <p>
            Every session of <strong>{name}</strong> ends and they cannot sign in until someone reactivates the account. Nothing is deleted.
          </p>
        ),
        outcome: (d) => `Suspended ${name}; ${plural(ended(d), 'session')} ended.`,
      });
    return steps;
  });

  const roles = isSuperadmin
    ? [...new Set(subjects.map((s) => s.role))].filter((r) => (SUSPENDABLE_ROLES as readonly string[]).includes(r))
    : [];
  const roleSteps: Step[] = roles.map((role) => ({
    key: `role:${role}`,
    op: 'role.suspend',
    action: suspendRoleAction,
    input: { role, incidentId },
    button: `Suspend the ${role} role`,
    title: `Suspend the ${role} role?`,
    confirm: 'Suspend role',
    blast: (
      <p>
        Every active <strong>{role}</strong> — not only the people named here — is refused on their next request and signed out, and nobody
        holding the role can sign in until it is reactivated on the Roles page.
      </p>
    ),
    outcome: (d) => {
      const holders = (d as { holders?: number } | null)?.holders;
      return holders === undefined ? `Suspended the ${role} role.` : `Suspended the ${role} role; ${plural(holders, 'holder')} signed out.`;
    },
  }));

  const globalSteps: Step[] = isSuperadmin
    ? [
        {
          key: 'revoke-all',
          op: 'session.revoke_all',
          action: revokeAllSessionsAction,
          input: { incidentId },
          button: 'End every session',
          title: 'End every session?',
          confirm: 'End all sessions now',
          blast: (
            <p>
              Every session of <strong>every user</strong> ends now, other superadmins included — all but this one of yours. Everyone must
              sign in again; accounts stay active.
            </p>
          ),
          outcome: (d) => `Ended ${plural(ended(d), 'session')}.`,
        },
        lockdown.enabled
          ? {
              key: 'lockdown',
              op: 'system.lockdown',
              action: setLockdownAction,
              input: { enabled: false, mode: lockdown.mode, incidentId },
              button: 'Turn lockdown off',
              title: 'Turn lockdown off?',
              confirm: 'Lift lockdown',
              blast: <p>Everyone can act again with the rights of their role. Sessions ended by the lockdown stay ended.</p>,
              outcome: () => 'Lockdown is off.',
            }
          : {
              key: 'lockdown',
              op: 'system.lockdown',
              action: setLockdownAction,
              input: { enabled: true, mode, incidentId },
              button: 'Turn lockdown on',
              title: 'Turn lockdown on?',
              confirm: 'Lock down',
              blast:
                mode === 'sign_out' ? (
                  <p>
                    Every session of <strong>everyone but superadmins</strong> ends now, and they cannot sign in until lockdown is turned
                    off.
                  </p>
                ) : (
                  <p>
                    Until lockdown is turned off, <strong>only superadmins</strong> can change anything; everyone else can still read and
                    sign out.
                  </p>
                ),
              outcome: (d) =>
                mode === 'sign_out' ? `Lockdown is on; ${plural(ended(d), 'session')} ended.` : 'Lockdown is on (read-only).',
            },
      ]
    : [];

  const steps = [...personSteps, ...roleSteps, ...globalSteps];
  const button = (s: Step) => (
    <Button
      key={s.key}
      type="button"
      variant="secondary"
      aria-haspopup="dialog"
      onClick={() => {
        setNotice(null);
        setOpen(s.key);
      }}
    >
      {s.button}
    </Button>
  );

  return (
    <section aria-labelledby="incident-containment" className="rounded-xl bg-white p-5 shadow-sm ring-1 ring-slate-200">
      <h2 id="incident-containment" className="text-base font-semibold text-slate-900">
        Containment
      </h2>
      <p className="mt-1 text-sm text-slate-600">
        Each step asks for a reason and a confirmation that it is you, and is recorded on this incident’s timeline.
      </p>
      <div role="status" aria-live="polite" className="mt-3">
        {notice ? (
          <p
            data-testid="containment-outcome"
            className="rounded-md bg-emerald-50 px-4 py-3 text-sm text-emerald-900 ring-1 ring-emerald-200"
          >
            {notice}
          </p>
        ) : null}
      </div>
      {subjects.length > 0 ? (
        <div className="mt-4">
          <h3 className="text-sm font-semibold text-slate-800">People named by the linked alerts</h3>
          <ul className="mt-2 space-y-3">
            {subjects.map((s) => (
              <li key={s.id} data-testid="containment-subject" className="text-sm">
                <p className="text-slate-800">
                  {showControlCharacters(s.name)}{' '}
                  <span className="text-slate-500">
                    ({showControlCharacters(s.role)}, {showControlCharacters(s.status)})
                  </span>
                </p>
                <div className="mt-1 flex flex-wrap gap-2">{personSteps.filter((p) => p.key.endsWith(`:${s.id}`)).map(button)}</div>
              </li>
            ))}
          </ul>
          {roleSteps.length > 0 ? <div className="mt-3 flex flex-wrap gap-2">{roleSteps.map(button)}</div> : null}
        </div>
      ) : (
        <p className="mt-4 text-sm text-slate-600">No linked alert names a person, so there is nobody to contain one by one.</p>
      )}
      {isSuperadmin ? (
        <div className="mt-5 border-t border-slate-100 pt-4">
          <h3 className="text-sm font-semibold text-slate-800">Whole console</h3>
          {lockdown.enabled ? (
            <p className="mt-1 text-sm text-slate-700" data-testid="lockdown-state">
              Lockdown is on: {MODE_LABELS[lockdown.mode]}.
            </p>
          ) : (
            <div className="mt-2 max-w-sm">
              <label htmlFor={modeId} className="block text-sm font-medium text-slate-800">
                Lockdown mode
              </label>
              <select
                id={modeId}
                value={mode}
                onChange={(e) => setMode(e.target.value === 'sign_out' ? 'sign_out' : 'read_only')}
                className="mt-1 block w-full rounded-md border-0 px-3 py-1.5 text-sm text-slate-900 shadow-xs ring-1 ring-inset ring-slate-300 focus:ring-2 focus:ring-indigo-600"
              >
                {(Object.keys(MODE_LABELS) as LockdownMode[]).map((m) => (
                  <option key={m} value={m}>
                    {MODE_LABELS[m]}
                  </option>
                ))}
              </select>
            </div>
          )}
          <div className="mt-3 flex flex-wrap gap-2">{globalSteps.map(button)}</div>
        </div>
      ) : null}
      {/* The dialogs sit outside the lists so they inherit no list styles. */}
      {steps.map((s) => (
        <OperationDialog
          key={s.key}
          open={open === s.key}
          title={s.title}
          confirmLabel={s.confirm}
          danger
          reason={OPERATIONS[s.op].reason}
          onSubmit={async (fields) => {
            const result = await perform(s.op, s.action, { ...s.input, ...fields });
            if (result.ok) setNotice(s.outcome(result.data));
            return result;
          }}
          onSuccess={() => router.refresh()}
          onClose={() => setOpen(null)}
        >
          {s.blast}
          <p>{CONFIRM_NOTE}</p>
        </OperationDialog>
      ))}
      {dialog}
    </section>
  );
}
