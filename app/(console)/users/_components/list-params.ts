import type { UserListQuery } from '@/lib/validation/lists';

/** The default order of the users list; left out of URLs so the plain /users stays canonical. */
export const DEFAULT_SORT = { sort: 'created', dir: 'desc' } as const;

/**
 * The list's state as URL parameters (filters and order, not the page), with
 * empty values and the default order left out. The filter form, the column
 * headers and the pagination all build their links from this, so a view is one
 * shareable URL and paging never loses a filter.
 */
export function listParams(query: UserListQuery): Record<string, string | undefined> {
  const isDefaultOrder = query.sort === DEFAULT_SORT.sort && query.dir === DEFAULT_SORT.dir;
  return {
    q: query.q,
    role: query.role,
    status: query.status,
    active: query.active,
    ...(isDefaultOrder ? {} : { sort: query.sort, dir: query.dir }),
  };
}

/** A /users URL for the given parameters (page 1 unless stated). */
export function usersHref(params: Record<string, string | undefined>, page = 1): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v) q.set(k, v);
  if (page > 1) q.set('page', String(page));
  const s = q.toString();
  return s ? `/users?${s}` : '/users';
}
