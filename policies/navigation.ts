import type { ConsoleRole } from './roles';

/**
 * Console areas and which roles may use each one. Navigation shows a role only
 * its areas, and each page checks the same list on the server (requireArea), so
 * hiding a link is never the only guard.
 */
export const AREAS = [
  { id: 'home', href: '/', label: 'Overview', roles: ['superadmin', 'admin', 'auditor', 'support'] },
  { id: 'users', href: '/users', label: 'Users', roles: ['superadmin', 'admin'] },
  { id: 'sessions-admin', href: '/sessions', label: 'Sessions', roles: ['superadmin', 'admin'] },
  { id: 'tickets', href: '/tickets', label: 'Tickets', roles: ['superadmin', 'admin', 'support'] },
  { id: 'audit', href: '/audit', label: 'Audit trail', roles: ['superadmin', 'admin', 'auditor'] },
  { id: 'alerts', href: '/alerts', label: 'Alerts', roles: ['superadmin', 'admin', 'auditor'] },
  { id: 'incidents', href: '/incidents', label: 'Incidents', roles: ['superadmin', 'admin', 'auditor'] },
  { id: 'config', href: '/config', label: 'Configuration', roles: ['superadmin', 'admin', 'auditor'] },
  { id: 'approvals', href: '/approvals', label: 'Approvals', roles: ['superadmin', 'admin', 'auditor'] },
  { id: 'access', href: '/access', label: 'Access reviews', roles: ['superadmin', 'admin', 'auditor'] },
  { id: 'elevation', href: '/elevation', label: 'Elevation', roles: ['superadmin', 'admin', 'auditor', 'support'] },
  { id: 'roles', href: '/roles', label: 'Roles', roles: ['superadmin', 'admin', 'auditor', 'support'] },
  { id: 'sessions', href: '/account/sessions', label: 'My sessions', roles: ['superadmin', 'admin', 'auditor', 'support'] },
  { id: 'security', href: '/account/security', label: 'Account security', roles: ['superadmin', 'admin', 'auditor', 'support'] },
] as const satisfies readonly { id: string; href: string; label: string; roles: readonly ConsoleRole[] }[];

export type AreaId = (typeof AREAS)[number]['id'];
export type Area = (typeof AREAS)[number];

/** The areas a role may use, in navigation order. */
export function areasFor(role: ConsoleRole): Area[] {
  return AREAS.filter((a) => (a.roles as readonly ConsoleRole[]).includes(role));
}

/** Whether a role may use an area. */
export function mayUseArea(role: ConsoleRole, area: AreaId): boolean {
  return areasFor(role).some((a) => a.id === area);
}
