'use client';

import Link from 'next/link';
import { usePathname } from 'next/navigation';

/**
 * Sidebar links; the list comes from the server, already filtered by role. A
 * link may carry a count of things waiting for the viewer (Approvals), shown as
 * a badge and included in the link's accessible name.
 */
export function NavLinks({ links }: { links: { href: string; label: string; waiting?: number }[] }) {
  const pathname = usePathname();
  return (
    <ul className="space-y-1">
      {links.map((l) => {
        const active = l.href === '/' ? pathname === '/' : pathname === l.href || pathname.startsWith(`${l.href}/`);
        const waiting = l.waiting && l.waiting > 0 ? l.waiting : 0;
        return (
          <li key={l.href}>
            <Link
              href={l.href}
              aria-current={active ? 'page' : undefined}
              aria-label={waiting ? `${l.label}, ${waiting} waiting` : undefined}
              className={`flex items-center justify-between gap-2 rounded-md px-3 py-2 text-sm font-medium ${
                active ? 'bg-slate-800 text-white' : 'text-slate-300 hover:bg-slate-800 hover:text-white'
              }`}
            >
              {l.label}
              {waiting ? (
                <span
                  aria-hidden="true"
                  data-testid="nav-waiting-count"
                  className="min-w-5 rounded-full bg-amber-400 px-1.5 py-0.5 text-center text-xs font-semibold tabular-nums text-slate-900"
                >
                  {waiting}
                </span>
              ) : null}
            </Link>
          </li>
        );
      })}
    </ul>
  );
}
