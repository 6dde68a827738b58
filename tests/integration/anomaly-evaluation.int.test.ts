import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { changeUserRoleAction } from '@/app/(console)/users/_actions/change-user-role';
import { appendAuditEvent, type AuditEventInput } from '@/lib/audit/append';
import { verifyChain } from '@/lib/audit/verify';
import { DEFAULT_THRESHOLDS } from '@/lib/config/keys';
import { invalidateSettings } from '@/lib/config/settings';
import { evaluateAnomalies } from '@/lib/monitoring/evaluate';
import type { OperationId } from '@/policies/operations';
import { ActionHarness, type Caller } from '../helpers/action-harness';
import { testProviders } from '../helpers/test-db';

// lib/env validates and caches process.env on first use, which happens while the
// imports above load (lib/log): the deployment is fixed before them.
vi.hoisted(() => {
  vi.stubEnv('APP_URL', 'http://localhost:3000');
  vi.stubEnv('AUTH_SECRET', 'warden-integration-tests-secret-0123456789');
  vi.stubEnv('WARDEN_ENCRYPTION_KEYS', '');
  vi.stubEnv('WARDEN_ENCRYPTION_KEY_ID', undefined);
  vi.stubEnv('LOG_LEVEL', 'silent');
});
// Only the framework's request scope is replaced (tests/helpers/action-harness.ts).
vi.mock('next/headers', () => import('../helpers/request-scope'));
vi.mock('next/cache', () => ({ revalidatePath: () => undefined, revalidateTag: () => undefined }));

const WEBHOOK = 'http://127.0.0.1:9/hook';
const REASON = 'Integration test of the anomaly rules, CHG-9001';

/**
 * The scheduled anomaly evaluation (issue 9) against a real, migrated database:
 * real audit events in, Alert rows, their `alert.raise` events and webhook
 * deliveries out; deduplication while an alert is open; one evaluation at a
 * time under the lease; and the audit chain still verifies.
 */
describe.each(testProviders())('anomaly evaluation on %s', (provider) => {
  let h: ActionHarness;

  beforeAll(async () => {
    h = await ActionHarness.create(provider, 'anomaly');
    // The default per-actor threshold (more than 5 role changes by one person in 1
    // minute), but no "overall" alert: this file makes far more than 20 role
    // changes within a minute across its admins (the unit tests cover "overall").
    const thresholds = { ...DEFAULT_THRESHOLDS, privilegeChanges: { ...DEFAULT_THRESHOLDS.privilegeChanges, overall: 10_000 } };
    await h.db.configEntry.create({
      data: { key: 'alerts.thresholds', tier: 'critical', value: JSON.stringify(thresholds), version: 1, updatedAt: new Date() },
    });
  });
  afterAll(async () => {
    await h?.cleanup();
  });
  beforeEach(() => {
    invalidateSettings();
  });

  /** One audit event appended as the app appends it: in a transaction of its own. */
  async function append(input: Partial<AuditEventInput>): Promise<number> {
    const event = await h.db.$transaction((tx) =>
      appendAuditEvent(tx, {
        actor: null,
        ip: '203.0.113.10',
        userAgent: 'integration-test',
        correlationId: `req-${randomUUID()}`,
        operation: 'user.create',
        target: null,
        outcome: 'success',
        policyVersion: 'policies@test',
        ...input,
      }),
    );
    return event.seq;
  }

  /** `n` successful role changes by `adminId`, back to back (well within a minute). */
  async function roleChanges(adminId: string, n: number): Promise<number[]> {
    const out: number[] = [];
    for (let i = 0; i < n; i++) {
      out.push(
        await append({
          actor: { id: adminId, role: 'admin', sessionId: `ses_${adminId}` },
          operation: 'user.role_change',
          target: { type: 'User', id: `usr_target_${randomUUID().slice(0, 8)}` },
          reason: REASON,
          details: { before: { role: 'member' }, after: { role: 'support' } },
          decision: 'rule:admin.manage_lower_roles',
        }),
      );
    }
    return out;
  }

  const alertsOf = (dedupeKey: string) =>
    h.db.alert.findMany({ where: { rule: 'privilege.mass_change', dedupeKey }, orderBy: { createdAt: 'asc' } });
  const raiseEventsOf = (alertId: string) => h.db.auditEvent.findMany({ where: { operation: 'alert.raise', targetId: alertId } });

  async function setWebhook(url: string) {
    const at = new Date();
    const data = { tier: 'sensitive', value: JSON.stringify(url), version: 1, updatedAt: at };
    await h.db.configEntry.upsert({ where: { key: 'alerts.webhook_url' }, create: { key: 'alerts.webhook_url', ...data }, update: data });
    invalidateSettings();
  }

  /**
   * A step-up proof obtained the real way. Authenticator codes are single-use per
   * step, so the user's replay marker is cleared first (test setup only).
   */
  async function proof(caller: Caller, op: OperationId, input: unknown): Promise<string> {
    await h.db.user.update({ where: { id: caller.user!.id }, data: { totpLastStep: null } });
    return h.stepUpProof(caller, op, input);
  }

  it('starts at the audit head on its first run: history raises nothing', async () => {
    // A burst that happened before monitoring first ran.
    await roleChanges('usr_admin_history', 8);
    const head = await h.db.auditEvent.findFirstOrThrow({ orderBy: { seq: 'desc' } });

    const first = await evaluateAnomalies();
    expect(first).toEqual({ evaluated: 0, raised: [], updated: [] });
    expect(await h.db.alert.count()).toBe(0);
    expect(await h.db.monitorState.findUniqueOrThrow({ where: { id: 'anomaly' } })).toMatchObject({
      throughSeq: head.seq,
      leaseUntil: null,
      leaseOwner: null,
    });

    // Nothing new: still nothing.
    expect(await evaluateAnomalies()).toEqual({ evaluated: 0, raised: [], updated: [] });
    expect(await h.db.alert.count()).toBe(0);
  });

  it('raises one critical alert for 6 role changes by one admin within a minute, recorded and queued for the webhook', async () => {
    await setWebhook(WEBHOOK);
    const seqs = await roleChanges('usr_admin_burst', 6);

    const result = await evaluateAnomalies();
    expect(result.evaluated).toBe(6);
    expect(result.raised).toHaveLength(1);
    expect(result.updated).toEqual([]);

    const alerts = await alertsOf('actor:usr_admin_burst');
    expect(alerts).toHaveLength(1);
    const alert = alerts[0]!;
    expect(alert).toMatchObject({
      id: result.raised[0],
      rule: 'privilege.mass_change',
      severity: 'critical',
      dedupeKey: 'actor:usr_admin_burst',
      status: 'open',
      actorId: 'usr_admin_burst',
      firstSeq: seqs[0],
      lastSeq: seqs[5],
      count: 6,
    });
    expect(JSON.parse(alert.eventSeqs)).toEqual(seqs);
    // Nothing else fired (no overall burst, no other rule).
    expect(await h.db.alert.count()).toBe(1);

    const raised = await raiseEventsOf(alert.id);
    expect(raised).toHaveLength(1);
    expect(raised[0]).toMatchObject({
      seq: alert.raisedSeq,
      operation: 'alert.raise',
      outcome: 'success',
      actorId: null,
      actorRole: null,
      targetType: 'Alert',
      targetId: alert.id,
      reasonCode: 'privilege.mass_change',
    });
    expect(raised[0]!.seq).toBeGreaterThan(seqs[5]!);
    expect(JSON.parse(raised[0]!.details)).toMatchObject({
      rule: 'privilege.mass_change',
      severity: 'critical',
      dedupeKey: 'actor:usr_admin_burst',
      actorId: 'usr_admin_burst',
      seqs,
    });

    const deliveries = await h.db.alertDelivery.findMany({ where: { alertId: alert.id } });
    expect(deliveries).toEqual([expect.objectContaining({ status: 'pending', url: WEBHOOK, attempts: 0 })]);
  });

  it('adds a 7th change to the open alert instead of raising another', async () => {
    const [before] = await alertsOf('actor:usr_admin_burst');
    const [seventh] = await roleChanges('usr_admin_burst', 1);

    const result = await evaluateAnomalies();
    expect(result.raised).toEqual([]);
    expect(result.updated).toEqual([before!.id]);

    const alerts = await alertsOf('actor:usr_admin_burst');
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({ id: before!.id, status: 'open', count: 7, lastSeq: seventh, firstSeq: before!.firstSeq });
    expect(JSON.parse(alerts[0]!.eventSeqs)).toEqual([...(JSON.parse(before!.eventSeqs) as number[]), seventh]);
    expect(await raiseEventsOf(before!.id)).toHaveLength(1);
    expect(await h.db.alertDelivery.count({ where: { alertId: before!.id } })).toBe(1);

    // Evaluating again without new events changes nothing.
    expect(await evaluateAnomalies()).toMatchObject({ raised: [], updated: [] });
    expect((await alertsOf('actor:usr_admin_burst'))[0]).toMatchObject({ count: 7 });
  });

  it('raises a new alert for a new burst once the previous one is resolved', async () => {
    const [old] = await alertsOf('actor:usr_admin_burst');
    await h.db.alert.update({ where: { id: old!.id }, data: { status: 'resolved', resolvedAt: new Date(), resolveNote: 'test' } });
    const seqs = await roleChanges('usr_admin_burst', 6);

    const result = await evaluateAnomalies();
    expect(result.raised).toHaveLength(1);
    expect(result.raised[0]).not.toBe(old!.id);
    const alerts = await alertsOf('actor:usr_admin_burst');
    expect(alerts.map((a) => a.status)).toEqual(['resolved', 'open']);
    const fresh = alerts[1]!;
    // The new alert is about the new burst; within the window it may also show the earlier changes as context.
    expect(JSON.parse(fresh.eventSeqs)).toEqual(expect.arrayContaining(seqs));
    expect(fresh.lastSeq).toBe(seqs[5]);
    expect(await raiseEventsOf(fresh.id)).toHaveLength(1);
    expect(await h.db.alertDelivery.count({ where: { alertId: fresh.id } })).toBe(1);
    // The resolved one is left as it was.
    expect(alerts[0]).toMatchObject({ id: old!.id, count: 7 });
  });

  it('does not deliver anywhere when no webhook is configured', async () => {
    await setWebhook('');
    await roleChanges('usr_admin_quiet_hook', 6);
    const result = await evaluateAnomalies();
    expect(result.raised).toHaveLength(1);
    expect(await h.db.alertDelivery.count({ where: { alertId: result.raised[0] } })).toBe(0);
  });

  it('stays quiet for 5 role changes by one admin', async () => {
    await roleChanges('usr_admin_five', 5);
    const result = await evaluateAnomalies();
    expect(result).toMatchObject({ raised: [], updated: [] });
    expect(result.evaluated).toBeGreaterThanOrEqual(5);
    expect(await alertsOf('actor:usr_admin_five')).toEqual([]);
  });

  it('never raises the same alert twice when two evaluations run at once (lease)', async () => {
    const seqs = await roleChanges('usr_admin_race', 6);

    const results = await Promise.all([evaluateAnomalies(), evaluateAnomalies(), evaluateAnomalies()]);
    expect(results.flatMap((r) => r.raised)).toHaveLength(1);
    const alerts = await alertsOf('actor:usr_admin_race');
    expect(alerts).toHaveLength(1);
    expect(JSON.parse(alerts[0]!.eventSeqs)).toEqual(seqs);
    expect(alerts[0]!.count).toBe(6);
    expect(await raiseEventsOf(alerts[0]!.id)).toHaveLength(1);
    expect(await h.db.monitorState.findUniqueOrThrow({ where: { id: 'anomaly' } })).toMatchObject({ leaseUntil: null, leaseOwner: null });
  });

  it('does nothing while another instance holds the lease, and resumes after it ends', async () => {
    const until = new Date(Date.now() + 60_000);
    await h.db.monitorState.update({ where: { id: 'anomaly' }, data: { leaseUntil: until, leaseOwner: 'other-instance' } });
    const seqs = await roleChanges('usr_admin_leased', 6);

    expect(await evaluateAnomalies()).toEqual({ evaluated: 0, raised: [], updated: [] });
    expect(await alertsOf('actor:usr_admin_leased')).toEqual([]);
    // The other instance's lease is not released by a run that did not hold it.
    expect(await h.db.monitorState.findUniqueOrThrow({ where: { id: 'anomaly' } })).toMatchObject({ leaseOwner: 'other-instance' });

    // An expired lease is taken over.
    await h.db.monitorState.update({ where: { id: 'anomaly' }, data: { leaseUntil: new Date(Date.now() - 1) } });
    const result = await evaluateAnomalies();
    expect(result.raised).toHaveLength(1);
    expect(JSON.parse((await alertsOf('actor:usr_admin_leased'))[0]!.eventSeqs)).toEqual(seqs);
  });

  it('creates one watermark, at the head, when two first runs race', async () => {
    await h.db.monitorState.deleteMany({ where: { id: 'anomaly' } });
    await roleChanges('usr_admin_before_restart', 6);
    const head = await h.db.auditEvent.findFirstOrThrow({ orderBy: { seq: 'desc' } });

    const results = await Promise.all([evaluateAnomalies(), evaluateAnomalies()]);
    expect(results.flatMap((r) => r.raised)).toEqual([]);
    expect(await h.db.monitorState.findMany()).toEqual([
      expect.objectContaining({ id: 'anomaly', throughSeq: head.seq, leaseUntil: null, leaseOwner: null }),
    ]);
    expect(await alertsOf('actor:usr_admin_before_restart')).toEqual([]);
  });

  it('raises an alert when an admin changes 6 roles through the real server action', async () => {
    await evaluateAnomalies(); // the watermark at the head
    const admin = await h.caller('admin');
    const adminId = admin.user!.id;
    const targets = await Promise.all(Array.from({ length: 6 }, () => h.createUser({ role: 'member', mfa: false })));

    for (const target of targets) {
      const input = { id: target.id, role: 'support', reason: REASON };
      const stepUpProof = await proof(admin, 'user.role_change', input);
      const { result } = await h.call(admin, changeUserRoleAction, input, { stepUpProof });
      expect(result).toMatchObject({ ok: true });
    }
    const changes = await h.db.auditEvent.findMany({
      where: { operation: 'user.role_change', actorId: adminId, outcome: 'success' },
      orderBy: { seq: 'asc' },
    });
    expect(changes).toHaveLength(6);

    const result = await evaluateAnomalies();
    expect(result.raised).toHaveLength(1);
    const alerts = await alertsOf(`actor:${adminId}`);
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({ severity: 'critical', status: 'open', actorId: adminId, count: 6 });
    expect(JSON.parse(alerts[0]!.eventSeqs)).toEqual(changes.map((e) => e.seq));
  });

  it('leaves an audit chain that verifies', async () => {
    const verified = await verifyChain(h.db);
    expect(verified).toMatchObject({ ok: true });
    const raises = await h.db.auditEvent.count({ where: { operation: 'alert.raise' } });
    expect(raises).toBe(await h.db.alert.count());
  });
});
