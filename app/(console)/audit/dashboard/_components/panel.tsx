import Link from 'next/link';
import type { ReactNode } from 'react';

/** A dashboard card: title, what it counts, a link to those events, the chart. */
export function Panel(props: {
  id: string;
  title: string;
  description: string;
  links?: { label: string; href: string }[];
  wide?: boolean;
  children: ReactNode;
}) {
  return (
    <section
      data-testid={`panel-${props.id}`}
      aria-labelledby={`panel-${props.id}-title`}
      className={`rounded-xl bg-white p-4 shadow-sm ring-1 ring-slate-200 ${props.wide ? 'lg:col-span-2' : ''}`}
    >
      <div className="mb-2 flex flex-wrap items-start justify-between gap-2">
        <div>
          <h2 id={`panel-${props.id}-title`} className="text-sm font-semibold text-slate-900">
            {props.title}
          </h2>
          <p className="text-xs text-slate-600">{props.description}</p>
        </div>
        <div className="flex flex-wrap gap-x-3 text-xs">
          {props.links?.map((l) => (
            <Link key={l.href} href={l.href} prefetch={false} className="font-medium text-indigo-700 hover:text-indigo-600">
              {l.label} →
            </Link>
          ))}
        </div>
      </div>
      {props.children}
    </section>
  );
}
