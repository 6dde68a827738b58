import Link from 'next/link';
import type { ReactNode } from 'react';
import { RoleBadge } from '@/components/ui/badge';
import { mustEnrol, requireViewer } from '@/lib/auth/viewer';
import { setting } from '@/lib/config/settings';
import { activeAlertCount } from '@/lib/dal/alerts';
import { pendingApprovalCount } from '@/lib/dal/approvals';
import { lockdownState } from '@/lib/dal/containment';
import { POLICY_VERSION, POLICY_VERSION_SHORT } from '@/lib/policy-version';
import { areasFor, type AreaId } from '@/policies/navigation';
import { OPERATIONS, signatureRequired, type OperationId } from '@/policies/operations';
import { grantedOperations } from '@/policies/usage';
import { NavLinks, type NavBadge } from './_components/nav-links';
import { SignOutButton } from './_components/sign-out-button';

/**
 * The console shell. It shows only the areas the viewer's role may use; each
 * page still checks for itself (a layout is not an authorization boundary).
 */
export default async function ConsoleLayout({ children }: { children: ReactNode }) {
  const viewer = await requireViewer({ allowUnenrolled: true });
  // Until a second factor is enrolled, only the security page is reachable (and listed).
  const areas = mustEnrol(viewer) ? areasFor(viewer.role).filter((a) => a.id === 'security') : areasFor(viewer.role);
  // Some links carry a count: Approvals, the requests the viewer could decide now; Alerts, the open alerts.
  const has = (id: AreaId) => areas.some((a) => a.id === id);
  const [waiting, open] = await Promise.all([
    has('approvals') ? pendingApprovalCount(viewer) : 0,
    has('alerts') ? activeAlertCount(viewer) : 0,
  ]);
  const badges: Partial<Record<AreaId, NavBadge>> = {
    approvals: { count: waiting, noun: 'waiting' },
    alerts: { count: open, noun: 'open' },
  };
  const links = areas.map((a) => ({ href: a.href, label: a.label, badge: badges[a.id] }));
  // The console banner (configuration key console.banner): plain text, shown when set.
  const [banner, lockdown] = await Promise.all([setting('console.banner'), lockdownState()]);
  // Critical operations must be signed with a passkey (issue 13): say so before the first one fails.
  const mustSign = grantedOperations(viewer.role)
    .filter((g) => signatureRequired(OPERATIONS[g.op as OperationId]))
    .map((g) => g.op);
  const needsPasskey = viewer.mfaEnrolled && viewer.hasPasskey === false && mustSign.length > 0;
  return (
    <div className="flex min-h-screen">
      <aside className="flex w-60 shrink-0 flex-col bg-slate-900 px-3 py-4 text-slate-100">
        <div className="mb-6 flex items-center gap-2 px-3">
          <div className="flex size-8 items-center justify-center rounded-lg bg-indigo-500 font-bold">W</div>
          <span className="text-lg font-semibold tracking-tight">Warden</span>
        </div>
        <nav aria-label="Console" className="flex-1">
          <NavLinks links={links} />
        </nav>
        <div className="mt-4 border-t border-slate-800 pt-4">
          <div className="px-3 pb-3">
            <p className="truncate text-sm font-medium" data-testid="viewer-name">
              {viewer.name}
            </p>
            <p className="truncate text-xs text-slate-400">{viewer.email}</p>
            <div className="mt-2" data-testid="viewer-role">
              <RoleBadge role={viewer.role} />
            </div>
          </div>
          <SignOutButton />
        </div>
      </aside>
      <div className="flex min-w-0 flex-1 flex-col">
        {lockdown.enabled ? (
          <p
            role="status"
            data-testid="lockdown-banner"
            className="border-b border-red-200 bg-red-50 px-8 py-2 text-sm font-medium text-red-900"
          >
            Lockdown is on
            {lockdown.since ? (
              <>
                {' since '}
                <time dateTime={lockdown.since.toISOString()}>{lockdown.since.toISOString().slice(0, 16).replace('T', ' ')} UTC</time>
              </>
            ) : null}{' '}
            — only superadmins can change anything.
          </p>
        ) : null}
        {viewer.elevation ? (
          <p
            role="status"
            data-testid="elevation-banner"
            className="border-b border-amber-300 bg-amber-100 px-8 py-2 text-sm font-medium text-amber-950"
          >
            {viewer.elevation.scope === 'break_glass'
              ? 'Break-glass is on: your two-person operations run without an approver'
              : viewer.elevation.scope === 'operation'
                ? `Elevated: you may use ${viewer.elevation.operation} as ${viewer.elevation.role}`
                : `Elevated: you hold the ${viewer.elevation.role} role (your own: ${viewer.baseRole})`}{' '}
            until{' '}
            <time dateTime={viewer.elevation.expiresAt.toISOString()}>{viewer.elevation.expiresAt.toISOString().slice(11, 16)} UTC</time>.{' '}
            <Link href="/elevation" className="underline">
              Details or end it now
            </Link>
          </p>
        ) : null}
        {needsPasskey ? (
          <p
            role="status"
            data-testid="passkey-needed-banner"
            className="border-b border-indigo-200 bg-indigo-50 px-8 py-2 text-sm font-medium text-indigo-950"
          >
            You have no passkey yet: the critical operations you may perform ({mustSign.length}, e.g.{' '}
            <code className="font-mono">{mustSign[0]}</code>) must be signed with a passkey.{' '}
            <Link href="/account/security" className="underline">
              Add a passkey
            </Link>
          </p>
        ) : null}
        {banner ? (
          <p data-testid="console-banner" className="border-b border-amber-200 bg-amber-50 px-8 py-2 text-sm font-medium text-amber-900">
            {banner}
          </p>
        ) : null}
        <main className="flex-1 px-8 py-6">{children}</main>
        <footer className="border-t border-slate-200 px-8 py-3 text-xs text-slate-500">
          Policy version{' '}
          <code title={POLICY_VERSION} className="font-mono">
            {POLICY_VERSION_SHORT}
          </code>{' '}
          · Every action in this console is recorded in the audit trail.
        </footer>
      </div>
    </div>
  );
}
