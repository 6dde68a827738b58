import type { Metadata } from 'next';
import { PageHeader } from '@/components/ui/page-header';
import { requireArea } from '@/lib/authz/areas';
import { listMySessions } from '@/lib/dal/sessions';
import { describeUserAgent } from '@/lib/request/user-agent';
import { SessionList } from './_components/session-list';

export const metadata: Metadata = { title: 'My sessions' };

const fmt = (d: Date) => `${d.toISOString().slice(0, 16).replace('T', ' ')} UTC`;

export default async function MySessionsPage() {
  const viewer = await requireArea('sessions');
  const sessions = await listMySessions(viewer);
  return (
    <>
      <PageHeader
        title="My sessions"
        description="Every browser signed in to your account. End any you don't recognise; it is signed out on its next request. Sessions end after 12 hours, or sooner when idle."
      />
      <SessionList
        sessions={sessions.map((s) => ({
          id: s.id,
          ip: s.ip,
          device: describeUserAgent(s.userAgent),
          createdAt: fmt(s.createdAt),
          lastSeenAt: fmt(s.lastSeenAt),
          isCurrent: s.isCurrent,
        }))}
      />
    </>
  );
}
