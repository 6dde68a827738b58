import type { ReactNode } from 'react';
import { Badge, RoleBadge, StatusBadge } from '@/components/ui/badge';
import { Time } from '@/components/ui/time';
import type { UserDetailDTO } from '@/lib/dal/users';
import { Card } from './card';

function Row({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div className="grid grid-cols-3 gap-4 py-2">
      <dt className="text-slate-500">{label}</dt>
      <dd className="col-span-2 text-slate-900">{children}</dd>
    </div>
  );
}

/** Who the user is and the state of their account. */
export function ProfileCard({ user }: { user: UserDetailDTO }) {
  return (
    <Card title="Profile">
      <dl className="divide-y divide-slate-100 text-sm">
        <Row label="Name">{user.name}</Row>
        <Row label="Email">{user.email}</Row>
        <Row label="Role">
          <span className="flex flex-wrap items-center gap-2">
            <RoleBadge role={user.role} />
            {user.isPrivileged ? (
              <span className="text-xs text-slate-500">Privileged role: granting or removing it needs two-person approval.</span>
            ) : null}
          </span>
        </Row>
        <Row label="Status">
          <span className="flex flex-wrap items-center gap-1.5">
            <StatusBadge status={user.status} />
            {user.isInvited ? <Badge tone="sky">Invited</Badge> : null}
            {user.isLocked ? <Badge tone="red">Locked</Badge> : null}
          </span>
          {user.isInvited ? (
            <p className="mt-1 text-xs text-slate-500">They have not accepted the invitation yet (no password set).</p>
          ) : null}
        </Row>
        <Row label="Created">
          <Time value={user.createdAt} />
        </Row>
        <Row label="Last active">
          <Time value={user.lastActiveAt} />
        </Row>
        <Row label="Failed sign-ins">
          <span className="tabular-nums">{user.failedLoginCount}</span>
          <span className="text-slate-500"> since the last successful sign-in</span>
        </Row>
        <Row label="Locked until">
          {user.lockedUntil ? <Time value={user.lockedUntil} /> : <span className="text-slate-400">Not locked</span>}
        </Row>
      </dl>
    </Card>
  );
}
