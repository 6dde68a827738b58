import { z } from 'zod';
import { ROLES } from '@/policies/roles';

/** Search params are input too (house style 14): anything unexpected falls back to a default. */
const page = z.coerce.number().int().min(1).max(100_000).catch(1);
const optionalText = (max: number) =>
  z
    .string()
    .trim()
    .max(max)
    .optional()
    .catch(undefined)
    .transform((v) => (v ? v : undefined));

export const USER_STATUSES = ['active', 'suspended', 'disabled'] as const;

/** "Last active" filter presets. */
export const LAST_ACTIVE_FILTERS = ['24h', '7d', '30d', 'over30d', 'never'] as const;
export const USER_SORTS = ['name', 'email', 'role', 'lastActive', 'created'] as const;
export const SORT_DIRECTIONS = ['asc', 'desc'] as const;

export const UserListQuerySchema = z.object({
  q: optionalText(100),
  role: z.enum(ROLES).optional().catch(undefined),
  status: z.enum(USER_STATUSES).optional().catch(undefined),
  active: z.enum(LAST_ACTIVE_FILTERS).optional().catch(undefined),
  sort: z.enum(USER_SORTS).catch('created'),
  dir: z.enum(SORT_DIRECTIONS).catch('desc'),
  page,
});
export type UserListQuery = z.infer<typeof UserListQuerySchema>;

/** Session age filter presets (time since sign-in). */
export const SESSION_AGES = ['1h', '24h', 'over24h'] as const;

export const SessionListQuerySchema = z.object({
  /** Name or email of the session's user. */
  q: optionalText(100),
  role: z.enum(ROLES).optional().catch(undefined),
  age: z.enum(SESSION_AGES).optional().catch(undefined),
  /** An IP address or its beginning, e.g. 203.0.113. */
  ip: optionalText(45).pipe(
    z
      .string()
      .regex(/^[0-9a-fA-F:.]*$/)
      .optional()
      .catch(undefined),
  ),
  page,
});
export type SessionListQuery = z.infer<typeof SessionListQuerySchema>;

export const AUDIT_OUTCOMES = ['success', 'denied', 'failure'] as const;

export const AuditListQuerySchema = z.object({
  operation: optionalText(64),
  outcome: z.enum(AUDIT_OUTCOMES).optional().catch(undefined),
  actor: optionalText(64),
  /** Keyset cursor: show events with seq below this. */
  before: z.coerce.number().int().min(1).optional().catch(undefined),
});
export type AuditListQuery = z.infer<typeof AuditListQuerySchema>;

/** Reads Next.js searchParams (string | string[] | undefined) into a plain object of first values. */
export function firstValues(sp: Record<string, string | string[] | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(sp)) {
    const first = Array.isArray(v) ? v[0] : v;
    if (typeof first === 'string') out[k] = first;
  }
  return out;
}
