import 'server-only';
import { headers } from 'next/headers';

/**
 * Whether this render is a router prefetch (a Link in view), not a person
 * opening the page. Pages whose opening is audited (audit.view) render nothing
 * for a prefetch, so a link scrolling into view is never recorded as a view and
 * no data leaves the server before someone asks for it.
 */
export async function isPrefetch(): Promise<boolean> {
  const h = await headers();
  return h.get('next-router-prefetch') !== null || h.get('purpose') === 'prefetch';
}
