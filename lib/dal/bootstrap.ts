import 'server-only';
import { randomUUID } from 'node:crypto';
import { recordAuditWith, type AuditSourceContext } from '@/lib/audit/record';
import { hashPassword } from '@/lib/auth/password';
import { unlockAccount } from '@/lib/auth/throttle';
import { generateRecoveryCodes } from '@/lib/auth/recovery-codes';
import { sealSecret } from '@/lib/auth/secret-box';
import { db } from '@/lib/db';
import { demoTotpSecret } from '@/lib/demo-totp';
import { NewPasswordSchema } from '@/lib/validation/auth';
import type { Role } from '@/policies/roles';

/**
 * First-run and demo data. Used only by the CLIs in scripts/ (never by a route):
 * a fresh install has no accounts at all until one of these runs.
 */

export function cliContext(tool: string): AuditSourceContext {
  return { correlationId: randomUUID(), ip: null, userAgent: `warden-cli/${tool}` };
}

/**
 * Creates the first superadmin. Refuses when any superadmin already exists, so
 * it cannot be used to add a second one behind the console's back. Audited.
 */
export async function createFirstSuperadmin(input: { email: string; name: string; password: string }) {
  const password = NewPasswordSchema.safeParse(input.password);
  if (!password.success) throw new Error(password.error.issues[0]?.message ?? 'Invalid password.');
  const passwordHash = await hashPassword(input.password);
  const client = await db();
  return client.$transaction(async (tx) => {
    const existing = await tx.user.count({ where: { role: 'superadmin', deletedAt: null } });
    if (existing > 0) throw new Error('A superadmin already exists; add further accounts from the console.');
    const user = await tx.user.create({
      data: { email: input.email, name: input.name, role: 'superadmin', status: 'active', passwordHash },
      select: { id: true, email: true },
    });
    await recordAuditWith(
      tx,
      {
        actor: null,
        operation: 'user.create',
        target: { type: 'User', id: user.id },
        outcome: 'success',
        reasonCode: 'first_run',
        details: { role: 'superadmin' },
        decision: 'bootstrap.first_superadmin',
      },
      cliContext('first-admin'),
    );
    return user;
  });
}

export interface DemoAccount {
  email: string;
  name: string;
  role: Role;
}

/** The demo password of every console account in the demo organisation (README lists it). */
export const DEMO_PASSWORD = 'warden-demo-passphrase';

export const DEMO_STAFF: readonly DemoAccount[] = [
  { email: 'superadmin@demo.warden.test', name: 'Sam Okafor', role: 'superadmin' },
  { email: 'admin@demo.warden.test', name: 'Alex Moreau', role: 'admin' },
  { email: 'admin2@demo.warden.test', name: 'Priya Raman', role: 'admin' },
  { email: 'auditor@demo.warden.test', name: 'Jordan Lindqvist', role: 'auditor' },
  { email: 'support@demo.warden.test', name: 'Casey Nguyen', role: 'support' },
  { email: 'support2@demo.warden.test', name: 'Mateo García', role: 'support' },
  { email: 'support3@demo.warden.test', name: 'Ines Haddad', role: 'support' },
];

const FIRST = [
  'Ada',
  'Ben',
  'Chloé',
  'Dmitri',
  'Elif',
  'Farah',
  'Gustav',
  'Hana',
  'Ivan',
  'Jun',
  'Kofi',
  'Lena',
  'Marta',
  'Nils',
  'Olu',
  'Pia',
  'Quinn',
  'Rosa',
  'Sven',
  'Tariq',
];
const LAST = ['Adams', 'Bianchi', 'Chen', 'Dubois', 'Eriksen', 'Fischer', 'Gomez', 'Hughes', 'Ito', 'Jansen'];

/**
 * Seeds the demo organisation: 7 console accounts (each with the demo password and
 * an authenticator-app secret from demoTotpSecret, plus recovery codes) and 200 members (end-user
 * accounts, no console password; a few suspended or disabled). Does nothing if
 * any user exists, so `npm run demo` can run again safely. Audited.
 */
export async function seedDemo(): Promise<{
  seeded: boolean;
  staff: readonly DemoAccount[];
  members: number;
  recoveryCodes: Record<string, string[]>;
}> {
  const client = await db();
  if ((await client.user.count()) > 0) return { seeded: false, staff: DEMO_STAFF, members: 0, recoveryCodes: {} };
  const recoveryCodes: Record<string, string[]> = {};
  const passwordHash = await hashPassword(DEMO_PASSWORD);
  const members = Array.from({ length: 200 }, (_, i) => {
    const first = FIRST[i % FIRST.length] ?? 'Member';
    const last = LAST[Math.floor(i / FIRST.length) % LAST.length] ?? 'User';
    return {
      email: `${first
        .normalize('NFD')
        .replace(/[^a-zA-Z]/g, '')
        .toLowerCase()}.${last.toLowerCase()}${i}@example.com`,
      name: `${first} ${last}`,
      role: 'member',
      status: i % 37 === 5 ? 'suspended' : i % 53 === 7 ? 'disabled' : 'active',
      createdAt: new Date(Date.UTC(2026, 0, 1) + i * 36 * 3600 * 1000),
    };
  });
  const ctx = cliContext('seed');
  await client.$transaction(async (tx) => {
    for (const s of DEMO_STAFF) {
      const user = await tx.user.create({ data: { ...s, status: 'active', passwordHash }, select: { id: true } });
      await tx.user.update({
        where: { id: user.id },
        data: { totpSecretEnc: sealSecret(demoTotpSecret(s.email), user.id), totpEnabledAt: new Date() },
      });
      recoveryCodes[s.email] = await generateRecoveryCodes(tx, user.id);
      await recordAuditWith(
        tx,
        {
          actor: null,
          operation: 'user.create',
          target: { type: 'User', id: user.id },
          outcome: 'success',
          reasonCode: 'demo_seed',
          details: { role: s.role },
          decision: 'bootstrap.demo_seed',
        },
        ctx,
      );
    }
    await tx.user.createMany({ data: members });
    await recordAuditWith(
      tx,
      {
        actor: null,
        operation: 'system.seed',
        outcome: 'success',
        reasonCode: 'demo_seed',
        details: { staff: DEMO_STAFF.length, members: members.length },
        decision: 'bootstrap.demo_seed',
      },
      ctx,
    );
  });
  return { seeded: true, staff: DEMO_STAFF, members: members.length, recoveryCodes };
}

/**
 * Unlocks an account locked by failed sign-ins, from the server's command line
 * (for when nobody who may unlock it in the console can sign in). Audited as `user.unlock`.
 */
export async function unlockAccountByEmail(email: string, reason: string): Promise<boolean> {
  const client = await db();
  return client.$transaction(async (tx) => {
    const user = await tx.user.findUnique({ where: { email }, select: { id: true } });
    if (!user) return false;
    const wasLocked = await unlockAccount(tx, user.id);
    await recordAuditWith(
      tx,
      {
        actor: null,
        operation: 'user.unlock',
        target: { type: 'User', id: user.id },
        outcome: 'success',
        reason,
        details: { wasLocked },
        decision: 'bootstrap.cli_unlock',
      },
      cliContext('unlock-account'),
    );
    return true;
  });
}
