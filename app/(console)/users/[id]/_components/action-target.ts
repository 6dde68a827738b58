import type { UserCanDTO } from '@/lib/dal/users';

/**
 * What the actions panel needs to know about the user: the server-computed
 * `can` flags (house style 12) and the real numbers each blast radius states.
 */
export interface UserActionTarget {
  id: string;
  name: string;
  email: string;
  role: string;
  status: string;
  isPrivileged: boolean;
  isSelf: boolean;
  can: UserCanDTO;
  sessions: number;
  passkeys: number;
  totp: boolean;
  recoveryCodesLeft: number;
  failedLoginCount: number;
  lockedUntil: Date | null;
}

/** "1 session", "3 sessions". */
export function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}
