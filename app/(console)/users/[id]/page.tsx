import type { Metadata } from 'next';
import Link from 'next/link';
import { notFound } from 'next/navigation';
import { PageHeader } from '@/components/ui/page-header';
import type { Viewer } from '@/lib/auth/viewer';
import { requireArea } from '@/lib/authz/areas';
import { ActionError } from '@/lib/authz/result';
import { getUserDetail } from '@/lib/dal/users';
import { describeUserAgent } from '@/lib/request/user-agent';
import { RecordIdSchema } from '@/lib/validation/users';
import { mayUseArea } from '@/policies/navigation';
import { FactorsCard } from './_components/factors-card';
import { ProfileCard } from './_components/profile-card';
import { RecentEvents } from './_components/recent-events';
import { SessionsTable } from './_components/sessions-table';
import { UserActions } from './_components/user-actions';

export const metadata: Metadata = { title: 'User' };

/** A user the viewer may not read, or that does not exist, is a 404 (unauthorized means not found). */
async function loadUser(viewer: Viewer, id: string) {
  try {
    return await getUserDetail(viewer, id);
  } catch (error) {
    if (error instanceof ActionError && error.code === 'NOT_FOUND') notFound();
    throw error;
  }
}

/** One user: profile, second factors, live sessions, recent audit events, and what the viewer may do to them. */
export default async function UserPage({ params }: { params: Promise<{ id: string }> }) {
  const viewer = await requireArea('users');
  const id = RecordIdSchema.safeParse((await params).id);
  if (!id.success) notFound();
  const user = await loadUser(viewer, id.data);
  return (
    <>
      <PageHeader
        title={user.name}
        description={user.email}
        actions={
          <Link href="/users" className="rounded-md px-3 py-1.5 text-sm text-slate-700 hover:bg-slate-100">
            ← All users
          </Link>
        }
      />
      <div className="grid grid-cols-1 gap-6 lg:grid-cols-3">
        <div className="space-y-6 lg:col-span-2">
          <ProfileCard user={user} />
          <FactorsCard factors={user.factors} isInvited={user.isInvited} />
          <SessionsTable name={user.name} sessions={user.sessions.map((s) => ({ ...s, device: describeUserAgent(s.userAgent) }))} />
          <RecentEvents events={user.recentEvents} canOpenAudit={mayUseArea(viewer.role, 'audit')} />
        </div>
        <div>
          <UserActions
            user={{
              id: user.id,
              name: user.name,
              email: user.email,
              role: user.role,
              status: user.status,
              isPrivileged: user.isPrivileged,
              isSelf: user.id === viewer.userId,
              can: user.can,
              sessions: user.sessions.length,
              passkeys: user.factors.passkeys.length,
              totp: user.factors.totp,
              recoveryCodesLeft: user.factors.recoveryCodesLeft,
              failedLoginCount: user.failedLoginCount,
              lockedUntil: user.lockedUntil,
            }}
          />
        </div>
      </div>
    </>
  );
}
