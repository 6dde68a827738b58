'use client';

import Link from 'next/link';
import { usePathname } from 'next/navigation';

/** A count shown on a link: "Approvals, 2 waiting", "Alerts, 3 open". */
export interface NavBadge {
  count: number;
  /** The word after the count in the accessible name (and the badge's test id: nav-<noun>-count). */
  noun: string;
}

/**
 * Sidebar links; the list comes from the server, already filtered by role. A
 * link may carry a count of things for the viewer (Approvals waiting, Alerts
 * open), shown as a badge and included in the link's accessible name.
 */
export function NavLinks({ links }: { links: { href: string; label: string; badge?: NavBadge }[] }) {
  const pathname = usePathname();
  return (
    <ul className="space-y-1">
      {links.map((l) => {
        const active = l.href === '/' ? pathname === '/' : pathname === l.href || pathname.startsWith(`${l.href}/`);
        const count = l.badge && l.badge.count > 0 ? l.badge.count : 0;
        return (
          <li key={l.href}>
            <Link
              href={l.href}
              aria-current={active ? 'page' : undefined}
              aria-label={count && l.badge ? `${l.label}, ${count} ${l.badge.noun}` : undefined}
              className={`flex items-center justify-between gap-2 rounded-md px-3 py-2 text-sm font-medium ${
                active ? 'bg-slate-800 text-white' : 'text-slate-300 hover:bg-slate-800 hover:text-white'
              }`}
            >
              {l.label}
              {count && l.badge ? (
                <span
                  aria-hidden="true"
                  data-testid={`nav-${l.badge.noun}-count`}
                  className="min-w-5 rounded-full bg-amber-400 px-1.5 py-0.5 text-center text-xs font-semibold tabular-nums text-slate-900"
                >
                  {count}
                </span>
              ) : null}
            </Link>
          </li>
        );
      })}
    </ul>
  );
}
