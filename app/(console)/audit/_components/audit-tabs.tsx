'use client';

import Link from 'next/link';
import { usePathname } from 'next/navigation';

/** Sub-navigation of the audit area; the server passes only the tabs the viewer's policy allows. */
export function AuditTabs({ tabs }: { tabs: { href: string; label: string }[] }) {
  const pathname = usePathname();
  return (
    <nav aria-label="Audit area" className="mb-6 border-b border-slate-200">
      <ul className="-mb-px flex gap-6">
        {tabs.map((t) => {
          const active = t.href === '/audit' ? pathname === '/audit' || pathname.startsWith('/audit/events') : pathname.startsWith(t.href);
          return (
            <li key={t.href}>
              <Link
                href={t.href}
                prefetch={false}
                aria-current={active ? 'page' : undefined}
                className={`inline-block border-b-2 px-1 pb-3 text-sm font-medium ${
                  active
                    ? 'border-indigo-600 text-indigo-700'
                    : 'border-transparent text-slate-600 hover:border-slate-300 hover:text-slate-900'
                }`}
              >
                {t.label}
              </Link>
            </li>
          );
        })}
      </ul>
    </nav>
  );
}
