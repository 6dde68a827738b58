import { Badge } from '@/components/ui/badge';
import { Time } from '@/components/ui/time';
import type { UserDetailDTO } from '@/lib/dal/users';
import { Card } from './card';

/** Which second factors the user has enrolled: names, dates and counts only, never a secret. */
export function FactorsCard({ factors, isInvited }: { factors: UserDetailDTO['factors']; isInvited: boolean }) {
  const none = !factors.totp && factors.passkeys.length === 0;
  return (
    <Card
      title="Second factors"
      description={
        none
          ? isInvited
            ? 'None yet: a second factor is enrolled at the first sign-in.'
            : 'None enrolled: they must enrol one at their next sign-in.'
          : undefined
      }
    >
      <dl className="space-y-3 text-sm">
        <div className="flex items-center justify-between gap-4">
          <dt className="text-slate-500">Authenticator app</dt>
          <dd>{factors.totp ? <Badge tone="green">Enrolled</Badge> : <Badge>Not enrolled</Badge>}</dd>
        </div>
        <div>
          <dt className="text-slate-500">Passkeys</dt>
          <dd className="mt-1">
            {factors.passkeys.length === 0 ? (
              <span className="text-slate-400">None</span>
            ) : (
              <ul className="divide-y divide-slate-100 rounded-md ring-1 ring-slate-200">
                {factors.passkeys.map((p, i) => (
                  <li key={`${p.name}-${i}`} className="flex flex-wrap items-center justify-between gap-2 px-3 py-2">
                    <span className="font-medium">{p.name}</span>
                    <span className="text-xs text-slate-500">
                      Added <Time value={p.createdAt} /> · Last used <Time value={p.lastUsedAt} />
                    </span>
                  </li>
                ))}
              </ul>
            )}
          </dd>
        </div>
        <div className="flex items-center justify-between gap-4">
          <dt className="text-slate-500">Recovery codes left</dt>
          <dd className="tabular-nums">{factors.recoveryCodesLeft}</dd>
        </div>
      </dl>
    </Card>
  );
}
