import Link from 'next/link';
import type { UserListQuery } from '@/lib/validation/lists';
import { DEFAULT_SORT, listParams, usersHref } from './list-params';

type Sort = UserListQuery['sort'];
type Direction = UserListQuery['dir'];

/** The direction a column sorts in when first chosen: text A→Z, times newest first. */
const FIRST_DIRECTION: Record<Sort, Direction> = { name: 'asc', email: 'asc', role: 'asc', lastActive: 'desc', created: 'desc' };

/**
 * A column header that sorts the list by URL (`sort`, `dir`): a link, so the
 * order is shareable and works without JavaScript. The header carries
 * `aria-sort` for the current order; choosing the current column again reverses
 * it, and any new order starts again at page 1. The link's name is the column
 * label alone.
 */
export function SortableHeader({ label, column, query }: { label: string; column: Sort; query: UserListQuery }) {
  const active = query.sort === column;
  const nextDir: Direction = active ? (query.dir === 'asc' ? 'desc' : 'asc') : FIRST_DIRECTION[column];
  const params = { ...listParams(query), sort: column, dir: nextDir };
  const isDefault = column === DEFAULT_SORT.sort && nextDir === DEFAULT_SORT.dir;
  const href = usersHref(isDefault ? { ...params, sort: undefined, dir: undefined } : params);
  return (
    <th scope="col" className="px-4 py-3" aria-sort={active ? (query.dir === 'asc' ? 'ascending' : 'descending') : undefined}>
      <Link href={href} className="group inline-flex items-center gap-1 rounded hover:text-slate-900">
        {label}
        <span aria-hidden="true" className={active ? 'text-indigo-600' : 'text-slate-300 group-hover:text-slate-500'}>
          {active ? (query.dir === 'asc' ? '▲' : '▼') : '↕'}
        </span>
      </Link>
    </th>
  );
}
