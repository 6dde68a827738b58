import 'server-only';
import { db } from '@/lib/db';
import { isConsoleRole } from '@/policies/roles';

/** Who an id in the trail is, for people reading it: a name, the current role, and an email for console staff. */
export interface PersonDTO {
  id: string;
  name: string;
  role: string;
  /** Console accounts only: members' addresses are personal data the audit area does not show. */
  email: string | null;
  deleted: boolean;
}

/**
 * Names for the actor and target ids of audit events, looked up now (the trail
 * holds ids only). Caller-authorized: used only by audit-area DAL functions after
 * their capability check, for ids already on the page.
 */
export async function peopleByIds(ids: string[]): Promise<Record<string, PersonDTO>> {
  if (ids.length === 0) return {};
  const client = await db();
  const rows = await client.user.findMany({
    where: { id: { in: ids.slice(0, 500) } },
    select: { id: true, name: true, role: true, email: true, deletedAt: true },
  });
  return Object.fromEntries(
    rows.map((u) => [
      u.id,
      { id: u.id, name: u.name, role: u.role, email: isConsoleRole(u.role) ? u.email : null, deleted: u.deletedAt !== null },
    ]),
  );
}
