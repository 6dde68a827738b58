import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { canonicalize } from '@/lib/audit/canonical-json';
import { sealSecret } from '@/lib/auth/secret-box';
import { invalidateSettings, secretAad } from '@/lib/config/settings';
import { deliverDueAlerts, signWebhook, webhookBackoffMs, WEBHOOK_MAX_ATTEMPTS } from '@/lib/monitoring/webhook';
import { ActionHarness } from '../helpers/action-harness';
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
vi.mock('next/headers', () => import('../helpers/request-scope'));
vi.mock('next/cache', () => ({ revalidatePath: () => undefined, revalidateTag: () => undefined }));

const SECRET = 'whsec-integration-0123456789abcdefghijklmnopqrstuvwxyz';
const NO_SECRET = 'no signing secret configured (alerts.webhook_secret)';

interface Received {
  method: string;
  path: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** A receiver as the docs describe it (docs/alert-webhooks.md), written here independently of lib/monitoring/webhook. */
function verifies(secret: string, headers: http.IncomingHttpHeaders, body: string, nowSeconds: number): boolean {
  const timestamp = String(headers['x-warden-timestamp'] ?? '');
  const signature = String(headers['x-warden-signature'] ?? '');
  if (!/^\d+$/.test(timestamp) || Math.abs(nowSeconds - Number(timestamp)) > 300) return false;
  const expected = `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
  return signature.length === expected.length && timingSafeEqual(Buffer.from(signature), Buffer.from(expected));
}

/**
 * Alert webhook delivery (issue 9) against a real migrated database and a real
 * HTTP receiver on 127.0.0.1: signed canonical JSON, retries with backoff, no
 * redirects, nothing sent without a secret, one POST per attempt however many
 * runs race for it.
 */
describe.each(testProviders())('alert webhook delivery on %s', (provider) => {
  let h: ActionHarness;
  let server: http.Server;
  let hookUrl: string;
  const received: Received[] = [];
  let reply: { status: number; headers?: Record<string, string>; body?: string } = { status: 200 };

  beforeAll(async () => {
    h = await ActionHarness.create(provider, 'alert-webhook');
    server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        received.push({
          method: req.method ?? '',
          path: req.url ?? '',
          headers: req.headers,
          body: Buffer.concat(chunks).toString('utf8'),
        });
        res.writeHead(reply.status, { 'content-type': 'text/plain', ...reply.headers });
        res.end(reply.body ?? 'ok');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    hookUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  });
  afterAll(async () => {
    server?.closeAllConnections();
    await new Promise((resolve) => server?.close(resolve));
    await h?.cleanup();
  });
  beforeEach(async () => {
    received.length = 0;
    reply = { status: 200 };
    // Each test sees only its own deliveries.
    await h.db.alertDelivery.deleteMany({});
    await configure(hookUrl, SECRET);
  });

  /** Writes the two settings as the config apply would (the secret sealed with its key's AAD). */
  async function configure(url: string, secret: string | null) {
    const at = new Date();
    const urlValue = JSON.stringify(url);
    await h.db.configEntry.upsert({
      where: { key: 'alerts.webhook_url' },
      create: { key: 'alerts.webhook_url', tier: 'sensitive', value: urlValue, version: 1, updatedAt: at },
      update: { value: urlValue, updatedAt: at },
    });
    if (secret === null) {
      await h.db.configEntry.deleteMany({ where: { key: 'alerts.webhook_secret' } });
    } else {
      const secretEnc = sealSecret(secret, secretAad('alerts.webhook_secret'));
      await h.db.configEntry.upsert({
        where: { key: 'alerts.webhook_secret' },
        create: { key: 'alerts.webhook_secret', tier: 'sensitive', value: null, secretEnc, version: 1, updatedAt: at },
        update: { secretEnc, updatedAt: at },
      });
    }
    invalidateSettings();
  }

  /** An alert (with 60 triggering events) and its pending delivery, due now. */
  async function newDelivery(opts: { url?: string; status?: string; updatedAt?: Date; attempts?: number } = {}) {
    const at = new Date();
    const seqs = Array.from({ length: 60 }, (_, i) => 100 + i);
    const alert = await h.db.alert.create({
      data: {
        rule: 'auth.sign_in_failures',
        severity: 'high',
        dedupeKey: `ip-${randomBytes(4).toString('hex')}`,
        summary: '12 failed sign-ins from 203.0.113.7 in 5 minutes — "quoted" é',
        actorId: null,
        eventSeqs: JSON.stringify(seqs),
        firstSeq: 100,
        lastSeq: 159,
        count: 60,
        createdAt: at,
        updatedAt: at,
      },
    });
    const delivery = await h.db.alertDelivery.create({
      data: {
        alertId: alert.id,
        url: opts.url ?? hookUrl,
        status: opts.status ?? 'pending',
        attempts: opts.attempts ?? 0,
        nextAttemptAt: new Date(at.getTime() - 1_000),
        createdAt: at,
        updatedAt: opts.updatedAt ?? at,
      },
    });
    return { alert, delivery };
  }

  const row = (id: string) => h.db.alertDelivery.findUniqueOrThrow({ where: { id } });
  const makeDue = (id: string) => h.db.alertDelivery.update({ where: { id }, data: { nextAttemptAt: new Date(Date.now() - 1_000) } });

  it('POSTs the alert as signed canonical JSON and records the delivery', async () => {
    const { alert, delivery } = await newDelivery();
    const t0 = Math.floor(Date.now() / 1000);
    expect(await deliverDueAlerts()).toBe(1);
    const t1 = Math.ceil(Date.now() / 1000);

    expect(received).toHaveLength(1);
    const [req] = received;
    expect(req).toMatchObject({ method: 'POST', path: '/hook' });
    expect(req!.headers).toMatchObject({
      'content-type': 'application/json',
      'user-agent': 'Warden-Alerts/1',
      'x-warden-delivery': delivery.id,
    });
    const ts = Number(req!.headers['x-warden-timestamp']);
    expect(ts).toBeGreaterThanOrEqual(t0);
    expect(ts).toBeLessThanOrEqual(t1);
    expect(verifies(SECRET, req!.headers, req!.body, t1)).toBe(true);
    expect(req!.headers['x-warden-signature']).toBe(signWebhook(SECRET, ts, req!.body));
    // A receiver with another secret, or one checking a changed body, rejects it.
    expect(verifies(`${SECRET}x`, req!.headers, req!.body, t1)).toBe(false);
    expect(verifies(SECRET, req!.headers, req!.body.replace('high', 'low'), t1)).toBe(false);
    // Too old a timestamp is rejected by the documented receiver.
    expect(verifies(SECRET, req!.headers, req!.body, ts + 301)).toBe(false);

    const payload = JSON.parse(req!.body) as Record<string, unknown>;
    expect(canonicalize(payload)).toBe(req!.body);
    expect(payload).toEqual({
      type: 'warden.alert.v1',
      id: alert.id,
      rule: 'auth.sign_in_failures',
      ruleTitle: 'Sign-in failure spike',
      severity: 'high',
      status: 'open',
      summary: alert.summary,
      actorId: null,
      count: 60,
      firstSeq: 100,
      lastSeq: 159,
      eventSeqs: Array.from({ length: 50 }, (_, i) => 110 + i),
      createdAt: alert.createdAt.toISOString(),
      consoleUrl: `http://localhost:3000/alerts/${alert.id}`,
      deliveryId: delivery.id,
      attempt: 1,
    });

    expect(await row(delivery.id)).toMatchObject({ status: 'delivered', attempts: 1, lastStatus: 200, lastError: null });
    expect((await row(delivery.id)).deliveredAt).toBeInstanceOf(Date);
    // Delivered is final: another run sends nothing.
    expect(await deliverDueAlerts()).toBe(0);
    expect(received).toHaveLength(1);
  });

  it('retries a 500 after 15 s and then delivers, keeping each outcome', async () => {
    const { delivery } = await newDelivery();
    reply = { status: 500, body: `upstream broke ${'x'.repeat(1_000)}` };
    const before = Date.now();
    expect(await deliverDueAlerts()).toBe(1);
    const after = Date.now();
    expect(received).toHaveLength(1);
    const failed = await row(delivery.id);
    expect(failed).toMatchObject({ status: 'pending', attempts: 1, lastStatus: 500, deliveredAt: null });
    expect(failed.lastError).toMatch(/^HTTP 500: upstream broke x+…$/);
    expect(failed.lastError!.length).toBeLessThanOrEqual('HTTP 500: '.length + 201);
    expect(failed.nextAttemptAt.getTime()).toBeGreaterThanOrEqual(before + 15_000);
    expect(failed.nextAttemptAt.getTime()).toBeLessThanOrEqual(after + 15_000);

    // Not due yet: nothing is sent.
    expect(await deliverDueAlerts()).toBe(0);
    expect(received).toHaveLength(1);

    await makeDue(delivery.id);
    reply = { status: 204 };
    expect(await deliverDueAlerts()).toBe(1);
    expect(received).toHaveLength(2);
    expect(JSON.parse(received[1]!.body)).toMatchObject({ deliveryId: delivery.id, attempt: 2 });
    expect(received[1]!.headers['x-warden-delivery']).toBe(delivery.id);
    expect(await row(delivery.id)).toMatchObject({ status: 'delivered', attempts: 2, lastStatus: 204, lastError: null });
  });

  it('treats a redirect as a failure and never follows it', async () => {
    const { delivery } = await newDelivery();
    reply = { status: 302, headers: { location: `${hookUrl}/elsewhere` } };
    expect(await deliverDueAlerts()).toBe(1);
    expect(received.map((r) => r.path)).toEqual(['/hook']);
    const failed = await row(delivery.id);
    expect(failed).toMatchObject({ status: 'pending', attempts: 1, lastStatus: 302, deliveredAt: null });
    expect(failed.lastError).toMatch(/redirect not followed/);
  });

  it('sends nothing without a signing secret, and delivers once one is set', async () => {
    await configure(hookUrl, null);
    const { delivery } = await newDelivery();
    const before = Date.now();
    expect(await deliverDueAlerts()).toBe(1);
    expect(received).toHaveLength(0);
    const failed = await row(delivery.id);
    expect(failed).toMatchObject({ status: 'pending', attempts: 1, lastStatus: null, lastError: NO_SECRET });
    expect(failed.nextAttemptAt.getTime()).toBeGreaterThanOrEqual(before + 15_000);

    await configure(hookUrl, SECRET);
    await makeDue(delivery.id);
    expect(await deliverDueAlerts()).toBe(1);
    expect(received).toHaveLength(1);
    expect(verifies(SECRET, received[0]!.headers, received[0]!.body, Math.floor(Date.now() / 1000))).toBe(true);
    expect(await row(delivery.id)).toMatchObject({ status: 'delivered', attempts: 2 });
  });

  it('sends one POST when two runs race for the same delivery', async () => {
    const { delivery } = await newDelivery();
    const counts = await Promise.all([deliverDueAlerts(), deliverDueAlerts()]);
    expect(counts.reduce((a, b) => a + b, 0)).toBe(1);
    expect(received).toHaveLength(1);
    expect(await row(delivery.id)).toMatchObject({ status: 'delivered', attempts: 1 });
  });

  it('re-claims a delivery abandoned mid-attempt, but not one still in progress', async () => {
    const abandoned = await newDelivery({ status: 'delivering', updatedAt: new Date(Date.now() - 3 * 60_000) });
    const inProgress = await newDelivery({ status: 'delivering', updatedAt: new Date(Date.now() - 30_000) });
    expect(await deliverDueAlerts()).toBe(1);
    expect(received.map((r) => r.headers['x-warden-delivery'])).toEqual([abandoned.delivery.id]);
    expect(await row(abandoned.delivery.id)).toMatchObject({ status: 'delivered', attempts: 1 });
    expect(await row(inProgress.delivery.id)).toMatchObject({ status: 'delivering', attempts: 0 });
  });

  it('fails for good on a URL that is no longer allowed, and after the last attempt', async () => {
    const plain = await newDelivery({ url: 'http://example.com/hook' });
    const last = await newDelivery({ attempts: WEBHOOK_MAX_ATTEMPTS - 1 });
    reply = { status: 503 };
    expect(await deliverDueAlerts()).toBe(2);
    expect(received.map((r) => r.headers['x-warden-delivery'])).toEqual([last.delivery.id]);
    const refused = await row(plain.delivery.id);
    expect(refused).toMatchObject({ status: 'failed', attempts: 1, lastStatus: null });
    expect(refused.lastError).toMatch(/not allowed/);
    expect(await row(last.delivery.id)).toMatchObject({ status: 'failed', attempts: WEBHOOK_MAX_ATTEMPTS, lastStatus: 503 });
    // Failed is final.
    await makeDue(last.delivery.id);
    expect(await deliverDueAlerts()).toBe(0);
  });

  it('never throws, even when the receiver is unreachable', async () => {
    const closed = http.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const { delivery } = await newDelivery({ url: `http://127.0.0.1:${port}/hook` });
    await expect(deliverDueAlerts()).resolves.toBe(1);
    const failed = await row(delivery.id);
    expect(failed).toMatchObject({ status: 'pending', attempts: 1, lastStatus: null });
    expect(failed.lastError).toMatch(/^network error: /);
  });
});

describe('webhook signing and backoff (pure)', () => {
  it('signs timestamp + "." + body with HMAC-SHA-256', () => {
    const body = '{"a":1}';
    expect(signWebhook('s3cret', 1_700_000_000, body)).toBe(
      `sha256=${createHmac('sha256', 's3cret').update('1700000000.{"a":1}').digest('hex')}`,
    );
    expect(signWebhook('s3cret', 1_700_000_001, body)).not.toBe(signWebhook('s3cret', 1_700_000_000, body));
  });

  it('backs off 15 s, 1 min, 5 min, 15 min, then 1 h', () => {
    expect([1, 2, 3, 4, 5, 6, 9].map(webhookBackoffMs)).toEqual([15_000, 60_000, 300_000, 900_000, 3_600_000, 3_600_000, 3_600_000]);
    expect(WEBHOOK_MAX_ATTEMPTS).toBe(6);
  });
});
