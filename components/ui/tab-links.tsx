import Link from 'next/link';

/** Filter tabs as links (the filter lives in the URL); the current one is marked aria-current="page". */
export function TabLinks({ tabs }: { tabs: readonly { key: string; href: string; label: string; active: boolean }[] }) {
  return (
    <ul className="-mb-px flex flex-wrap gap-6">
      {tabs.map((t) => (
        <li key={t.key}>
          <Link
            href={t.href}
            aria-current={t.active ? 'page' : undefined}
            className={`inline-block border-b-2 px-1 pb-3 text-sm font-medium ${
              t.active
                ? 'border-indigo-600 text-indigo-700'
                : 'border-transparent text-slate-600 hover:border-slate-300 hover:text-slate-900'
            }`}
          >
            {t.label}
          </Link>
        </li>
      ))}
    </ul>
  );
}
