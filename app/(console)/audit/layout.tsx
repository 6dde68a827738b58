import type { ReactNode } from 'react';
import { requireArea } from '@/lib/authz/areas';
import { auditCapabilities } from '@/lib/authz/audit-access';
import { viewerTimeZone } from '@/lib/request/time-zone';
import { AuditTabs } from './_components/audit-tabs';
import { TimeZoneCookie } from './_components/time-zone-cookie';

/** The audit area: events for everyone the read rule allows; dashboards and integrity for whole-trail roles. */
export default async function AuditLayout({ children }: { children: ReactNode }) {
  const viewer = await requireArea('audit');
  const caps = auditCapabilities(viewer);
  const tabs = [
    { href: '/audit', label: 'Events' },
    ...(caps.analyze ? [{ href: '/audit/dashboard', label: 'Dashboard' }] : []),
    ...(caps.verify ? [{ href: '/audit/integrity', label: 'Integrity' }] : []),
  ];
  return (
    <>
      <AuditTabs tabs={tabs} />
      <TimeZoneCookie current={await viewerTimeZone()} />
      {children}
    </>
  );
}
