import 'server-only';
import { notFound } from 'next/navigation';
import { requireViewer, type Viewer } from '@/lib/auth/viewer';
import { mayUseArea, type AreaId } from '@/policies/navigation';
import { ActionError } from './result';

/**
 * Page guard: the viewer, if their role may use the area; otherwise the page
 * does not exist for them (404, not 403: unauthorized means not found).
 */
export async function requireArea(area: AreaId): Promise<Viewer> {
  const viewer = await requireViewer();
  if (!mayUseArea(viewer.role, area)) notFound();
  return viewer;
}

/** DAL guard with the same rule, for code that is not a page. */
export function assertArea(viewer: Viewer, area: AreaId): void {
  if (!mayUseArea(viewer.role, area)) throw new ActionError('NOT_FOUND', 'Not found.');
}
