import 'server-only';
import { randomUUID } from 'node:crypto';
import { appendAuditEvent } from '@/lib/audit/append';
import { recordAuditWith, type AuditRecord, type AuditSourceContext } from '@/lib/audit/record';
import { syntheticAuditEvents, type SyntheticStaff } from '@/lib/audit/synthetic';
import { hashPassword } from '@/lib/auth/password';
import { unlockAccount } from '@/lib/auth/throttle';
import { generateRecoveryCodes } from '@/lib/auth/recovery-codes';
import { sealSecret } from '@/lib/auth/secret-box';
import { now } from '@/lib/clock';
import { db, type Tx } from '@/lib/db';
import { demoTotpSecret } from '@/lib/demo-totp';
import { POLICY_VERSION } from '@/lib/policy-version';
import { NewPasswordSchema } from '@/lib/validation/auth';
import type { Role } from '@/policies/roles';
import { seedDemoTickets } from './demo-tickets';

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

/** Synthetic history of the demo organisation: about this many events over this many days. */
const DEMO_HISTORY_EVENTS = 3000;
const DEMO_HISTORY_DAYS = 30;
/** Fixed, so every demo install gets the same shape of history (ids and times differ). */
const DEMO_HISTORY_SEED = 20_260_101;
/** Labels of every synthetic event: the user agent alone could be mistaken for a client's. */
const DEMO_HISTORY_USER_AGENT = 'warden-demo-seed (synthetic history)';
/**
 * The seed is one transaction of ~3,000 appends: a few seconds on an idle machine,
 * more on a busy CI runner, so it gets longer than the client's default 20 s.
 */
const DEMO_TRANSACTION = { timeout: 120_000 };

/**
 * Seeds the demo organisation: 7 console accounts (each with the demo password and
 * an authenticator-app secret from demoTotpSecret, plus recovery codes), 200 members (end-user
 * accounts, no console password; a few suspended or disabled) and 30 days of
 * synthetic audit history (lib/audit/synthetic) ending an hour ago, so the audit
 * browser and dashboards have something to show. Every synthetic event carries
 * `demo: true` in its details and the user agent {@link DEMO_HISTORY_USER_AGENT}.
 * Does nothing if any user exists, so `npm run demo` can run again safely. Audited.
 *
 * One transaction, in chronological order (time never decreases along the chain):
 * the staff's user.create events at the start of the history window, the history,
 * then system.seed now.
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
  const seededAt = now();
  const historyTo = new Date(seededAt.getTime() - 3_600_000);
  const historyFrom = new Date(historyTo.getTime() - DEMO_HISTORY_DAYS * 86_400_000);
  const seedEvent = (tx: Tx, record: AuditRecord, at: Date) =>
    appendAuditEvent(
      tx,
      {
        actor: record.actor,
        ip: ctx.ip,
        userAgent: ctx.userAgent,
        correlationId: ctx.correlationId,
        operation: record.operation,
        target: record.target ?? null,
        outcome: record.outcome,
        reasonCode: record.reasonCode ?? null,
        reason: record.reason ?? null,
        details: record.details ?? {},
        policyVersion: POLICY_VERSION,
        decision: record.decision ?? null,
      },
      { at },
    );

  let history = 0;
  await client.$transaction(async (tx) => {
    // People first, events after: the history needs their ids.
    const staff: SyntheticStaff[] = [];
    for (const s of DEMO_STAFF) {
      // Active until now (the synthetic history below is theirs), so the inactivity rules leave them be.
      const user = await tx.user.create({
        data: { ...s, status: 'active', passwordHash, createdAt: historyFrom, lastActiveAt: seededAt },
        select: { id: true },
      });
      await tx.user.update({
        where: { id: user.id },
        data: { totpSecretEnc: sealSecret(demoTotpSecret(s.email), user.id), totpEnabledAt: historyFrom },
      });
      recoveryCodes[s.email] = await generateRecoveryCodes(tx, user.id);
      staff.push({ id: user.id, role: s.role, name: s.name });
    }
    await tx.user.createMany({ data: members });
    const memberIds = await tx.user.findMany({ where: { role: 'member' }, select: { id: true, name: true }, orderBy: { email: 'asc' } });
    const tickets = await seedDemoTickets(tx, {
      members: memberIds,
      agents: staff.filter((s) => s.role === 'support').map((s) => ({ id: s.id, name: s.name ?? s.id })),
      admin: { id: (staff.find((s) => s.role === 'admin') ?? staff[0]!).id, name: 'Alex Moreau' },
      now: seededAt,
    });

    for (const s of staff) {
      await seedEvent(
        tx,
        {
          actor: null,
          operation: 'user.create',
          target: { type: 'User', id: s.id },
          outcome: 'success',
          reasonCode: 'demo_seed',
          details: { role: s.role },
          decision: 'bootstrap.demo_seed',
        },
        historyFrom,
      );
    }
    for (const { at, input } of syntheticAuditEvents({
      seed: DEMO_HISTORY_SEED,
      from: historyFrom,
      to: historyTo,
      count: DEMO_HISTORY_EVENTS,
      staff,
      members: memberIds.map((m) => m.id),
      policyVersion: POLICY_VERSION,
      userAgent: DEMO_HISTORY_USER_AGENT,
      details: { demo: true },
    })) {
      await appendAuditEvent(tx, input, { at });
      history++;
    }
    await seedEvent(
      tx,
      {
        actor: null,
        operation: 'system.seed',
        outcome: 'success',
        reasonCode: 'demo_seed',
        details: { staff: DEMO_STAFF.length, members: members.length, syntheticEvents: history, tickets },
        decision: 'bootstrap.demo_seed',
      },
      seededAt,
    );
  }, DEMO_TRANSACTION);
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
