import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { GET } from '@/app/api/metrics/route';
import { appendAuditEvent, type AuditEventInput } from '@/lib/audit/append';
import { refreshAuditRollups } from '@/lib/audit/rollup';
import { sealSecret } from '@/lib/auth/secret-box';
import { invalidateSettings, secretAad, secretFingerprint } from '@/lib/config/settings';
import { env } from '@/lib/env';
import { ActionHarness, type Caller } from '../helpers/action-harness';
import { runInRequestScope } from '../helpers/request-scope';
import { testProviders } from '../helpers/test-db';

/**
 * GET /api/metrics (Prometheus exposition), called in this process with a real
 * database: who may read it (the scrape token, an auditor's or superadmin's
 * session; 401 for a wrong bearer, 404 for everyone else), and that the audit
 * counters equal the trail's own counts whether the events sit in the hourly
 * rollups or above their watermark, and only grow.
 */
vi.hoisted(() => {
  vi.stubEnv('APP_URL', 'http://localhost:3000');
  vi.stubEnv('AUTH_SECRET', 'warden-integration-tests-secret-0123456789');
  vi.stubEnv('WARDEN_ENCRYPTION_KEYS', '');
  vi.stubEnv('WARDEN_ENCRYPTION_KEY_ID', undefined);
  vi.stubEnv('LOG_LEVEL', 'silent');
});
vi.mock('next/headers', () => import('../helpers/request-scope'));
vi.mock('next/cache', () => ({ revalidatePath: () => undefined, revalidateTag: () => undefined }));

/** One sample line of the exposition: name, labels, value. */
interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** Reads the samples of a text exposition (format 0.0.4); comment lines are skipped. */
function parseExposition(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match) throw new Error(`not an exposition line: ${line}`);
    const labels: Record<string, string> = {};
    for (const [, k, v] of match[2]?.matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g) ?? []) labels[k!] = v!;
    samples.push({ name: match[1]!, labels, value: Number(match[3]) });
  }
  return samples;
}

const valueOf = (samples: Sample[], name: string, labels: Record<string, string> = {}) =>
  samples.find((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))?.value;

describe.each(testProviders())('GET /api/metrics (%s)', (provider) => {
  let h: ActionHarness;
  let auditor: Caller;
  let superadmin: Caller;
  let admin: Caller;
  let support: Caller;
  const token = randomBytes(32).toString('base64url');

  const append = (input: Pick<AuditEventInput, 'actor' | 'operation' | 'outcome'>) =>
    h.db.$transaction((tx) =>
      appendAuditEvent(tx, { ip: null, userAgent: null, correlationId: randomUUID(), target: null, policyVersion: 'test', ...input }),
    );
  const actorOf = (c: Caller) => ({ id: c.user!.id, role: c.user!.role, sessionId: c.sessionId });

  beforeAll(async () => {
    h = await ActionHarness.create(provider, 'metrics');
    auditor = await h.caller('auditor');
    superadmin = await h.caller('superadmin');
    admin = await h.caller('admin');
    support = await h.caller('support');
  }, 120_000);
  afterAll(async () => {
    invalidateSettings();
    await h?.cleanup();
  });

  function get(caller: Caller, headers: Record<string, string> = {}): Promise<Response> {
    const scope = h.scope(caller, randomUUID(), headers);
    const url = `${new URL(env().APP_URL).origin}/api/metrics`;
    return runInRequestScope(scope, () => GET(new Request(url, { headers: scope.headers })));
  }
  const scrape = async (headers: Record<string, string> = { authorization: `Bearer ${token}` }) => {
    const res = await get(h.anonymous(), headers);
    expect(res.status).toBe(200);
    return parseExposition(await res.text());
  };

  /** The trail's own counts, grouped as the counter is. */
  async function trailCounts(): Promise<Map<string, number>> {
    const rows = await h.db.auditEvent.groupBy({ by: ['operation', 'outcome', 'actorRole'], _count: { _all: true } });
    return new Map(rows.map((r) => [JSON.stringify([r.operation, r.outcome, r.actorRole ?? 'none']), r._count._all]));
  }
  const counterOf = (samples: Sample[]) =>
    new Map(
      samples
        .filter((s) => s.name === 'warden_audit_events_total')
        .map((s) => [JSON.stringify([s.labels.operation, s.labels.outcome, s.labels.role]), s.value]),
    );

  it('refuses a bearer while no scrape token is configured, without internals and uncached', async () => {
    const res = await get(h.anonymous(), { authorization: `Bearer ${token}` });
    expect(res.status).toBe(401);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.headers.get('www-authenticate')).toMatch(/^Bearer/);
    expect(await res.text()).toBe('Unauthorized');
  });

  it('answers 404 without credentials and to admins and support, 401 to a wrong bearer', async () => {
    await h.db.configEntry.create({
      data: {
        key: 'metrics.bearer_token',
        tier: 'sensitive',
        value: null,
        secretEnc: sealSecret(token, secretAad('metrics.bearer_token')),
        fingerprint: secretFingerprint(token),
        version: 1,
        updatedAt: new Date(),
      },
    });
    invalidateSettings();

    for (const caller of [h.anonymous(), admin, support]) {
      const res = await get(caller);
      expect(res.status).toBe(404);
      expect(res.headers.get('cache-control')).toBe('no-store');
      expect(await res.text()).toBe('Not found');
    }
    for (const authorization of [`Bearer ${token}x`, `Bearer ${token.slice(1)}`, 'Bearer ', `Basic ${token}`]) {
      const res = await get(h.anonymous(), { authorization });
      expect(res.status).toBe(401);
      expect(res.headers.get('cache-control')).toBe('no-store');
      expect(await res.text()).toBe('Unauthorized');
    }
    // A wrong bearer does not become right with an admin's session either.
    expect((await get(admin, { authorization: `Bearer nope-${token}` })).status).toBe(401);
  });

  it('serves the exposition to the scrape token and to auditor and superadmin sessions', async () => {
    for (const [caller, headers] of [
      [h.anonymous(), { authorization: `Bearer ${token}` }],
      [auditor, {}],
      [superadmin, {}],
    ] as const) {
      const res = await get(caller, headers);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
      expect(res.headers.get('cache-control')).toBe('no-store');
      const body = await res.text();
      expect(body).toContain('# TYPE warden_audit_events_total counter');
      expect(body).toContain('# TYPE warden_audit_append_duration_seconds histogram');
      expect(body).toContain('# TYPE warden_alerts gauge');
      expect(body).toContain('# TYPE warden_approval_requests gauge');
      expect(body).toContain('warden_process_cpu_user_seconds_total');
    }
    // A session is refused when the request comes from another site.
    expect((await get(auditor, { 'sec-fetch-site': 'cross-site' })).status).toBe(404);
  });

  it('counts the audit trail exactly, from the rollups and above their watermark, and only upwards', async () => {
    const appendsBefore = valueOf(await scrape(), 'warden_audit_append_duration_seconds_count') ?? 0;
    for (let n = 0; n < 3; n++) await append({ actor: actorOf(admin), operation: 'user.unlock', outcome: 'success' });
    for (let n = 0; n < 2; n++) await append({ actor: null, operation: 'auth.sign_in', outcome: 'failure' });
    await append({ actor: actorOf(admin), operation: 'auth.step_up', outcome: 'denied' });
    await refreshAuditRollups(h.db);
    // Above the watermark now: counted from AuditEvent.
    await append({ actor: actorOf(admin), operation: 'user.unlock', outcome: 'success' });
    await append({ actor: actorOf(support), operation: 'user.unlock', outcome: 'denied' });
    await append({ actor: null, operation: 'auth.sign_in', outcome: 'success' });
    const watermark = await h.db.auditRollupState.findUniqueOrThrow({ where: { id: 1 } });

    const first = await scrape();
    const head = (await h.db.auditEvent.aggregate({ _max: { seq: true } }))._max.seq!;
    expect(watermark.throughSeq).toBeLessThan(head);
    expect(counterOf(first)).toEqual(await trailCounts());
    expect(valueOf(first, 'warden_audit_events_total', { operation: 'user.unlock', outcome: 'success', role: 'admin' })).toBe(4);
    expect(valueOf(first, 'warden_audit_events_total', { operation: 'user.unlock', outcome: 'denied', role: 'support' })).toBe(1);
    expect(valueOf(first, 'warden_audit_events_total', { operation: 'auth.sign_in', outcome: 'failure', role: 'none' })).toBe(2);
    expect(valueOf(first, 'warden_sign_ins_total', { outcome: 'failure' })).toBe(2);
    expect(valueOf(first, 'warden_sign_ins_total', { outcome: 'success' })).toBe(1);
    expect(valueOf(first, 'warden_sign_ins_total', { outcome: 'denied' })).toBe(0);
    expect(valueOf(first, 'warden_step_ups_total', { outcome: 'denied' })).toBe(1);
    const denied = await h.db.auditEvent.count({ where: { outcome: 'denied' } });
    expect(valueOf(first, 'warden_denials_total')).toBe(denied);
    expect(valueOf(first, 'warden_audit_head_seq')).toBe(head);
    // No checkpoint yet: every event is unsigned and there is no age.
    expect(valueOf(first, 'warden_audit_unsigned_events')).toBe(head);
    expect(valueOf(first, 'warden_audit_checkpoint_age_seconds')).toBeUndefined();
    // This process timed every append.
    expect(valueOf(first, 'warden_audit_append_duration_seconds_count')).toBeGreaterThanOrEqual(appendsBefore + 6);
    expect(valueOf(first, 'warden_audit_append_duration_seconds_bucket', { le: '+Inf' })).toBe(
      valueOf(first, 'warden_audit_append_duration_seconds_count'),
    );

    // Everything rolled up: the same numbers; then more events: every counter only grows.
    await refreshAuditRollups(h.db);
    expect(counterOf(await scrape())).toEqual(counterOf(first));
    await append({ actor: actorOf(admin), operation: 'user.unlock', outcome: 'success' });
    const second = await scrape();
    expect(counterOf(second)).toEqual(await trailCounts());
    for (const [k, v] of counterOf(first)) expect(counterOf(second).get(k)).toBeGreaterThanOrEqual(v);
    expect(valueOf(second, 'warden_audit_events_total', { operation: 'user.unlock', outcome: 'success', role: 'admin' })).toBe(5);
  });

  it('reports checkpoints, sessions, alerts and approval requests from the database', async () => {
    const head = (await h.db.auditEvent.aggregate({ _max: { seq: true } }))._max.seq!;
    const checkpointSeq = head - 2;
    await h.db.auditCheckpoint.create({
      data: {
        seq: checkpointSeq,
        headHash: 'x'.repeat(64),
        ts: new Date(Date.now() - 90_000),
        keyId: '0123456789abcdef',
        prev: null,
        digest: `test-${randomUUID()}`,
        signature: 'test',
      },
    });
    const at = new Date();
    await h.db.alert.create({
      data: { rule: 'authz.denied_burst', severity: 'high', dedupeKey: 'x', summary: 's', eventSeqs: '[]', createdAt: at, updatedAt: at },
    });
    await h.db.alert.create({
      data: {
        rule: 'authz.denied_burst',
        severity: 'high',
        dedupeKey: 'y',
        summary: 's',
        eventSeqs: '[]',
        createdAt: at,
        updatedAt: at,
        deliveries: { create: { url: 'https://hooks.example/x', status: 'failed', nextAttemptAt: at, createdAt: at, updatedAt: at } },
      },
    });
    await h.db.session.updateMany({ where: { id: support.sessionId! }, data: { revokedAt: at } });

    const samples = await scrape();
    expect(valueOf(samples, 'warden_audit_head_seq')).toBe(head);
    expect(valueOf(samples, 'warden_audit_unsigned_events')).toBe(2);
    const age = valueOf(samples, 'warden_audit_checkpoint_age_seconds')!;
    expect(age).toBeGreaterThanOrEqual(89);
    expect(age).toBeLessThan(600);
    expect(valueOf(samples, 'warden_alerts', { status: 'open', severity: 'high' })).toBe(2);
    expect(valueOf(samples, 'warden_alert_deliveries', { status: 'failed' })).toBe(1);
    expect(valueOf(samples, 'warden_active_sessions', { role: 'admin' })).toBe(1);
    expect(valueOf(samples, 'warden_active_sessions', { role: 'auditor' })).toBe(1);
    expect(valueOf(samples, 'warden_active_sessions', { role: 'support' })).toBe(0);
    const approvals = await h.db.approvalRequest.groupBy({ by: ['status'], _count: { _all: true } });
    for (const r of approvals) expect(valueOf(samples, 'warden_approval_requests', { status: r.status })).toBe(r._count._all);
  });
});
