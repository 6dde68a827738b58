import 'server-only';
import { createHmac } from 'node:crypto';
import { canonicalize } from '@/lib/audit/canonical-json';
import { openSecret } from '@/lib/auth/secret-box';
import { now } from '@/lib/clock';
import { readSecretSetting, secretAad } from '@/lib/config/settings';
import { db, type Db } from '@/lib/db';
import { env } from '@/lib/env';
import { log } from '@/lib/log';
import { RULES } from './rules';

/**
 * Alert webhook delivery (issue 9). lib/monitoring/evaluate.ts writes one
 * AlertDelivery row (status `pending`) per new alert while `alerts.webhook_url`
 * is set; the scheduler then calls {@link deliverDueAlerts}, which POSTs each due
 * delivery as canonical JSON signed with HMAC-SHA-256 (`alerts.webhook_secret`).
 *
 * Invariants:
 * - A delivery is claimed by one conditional update (pending → delivering), so
 *   several instances never send the same attempt twice. A row left in
 *   `delivering` for {@link ABANDONED_AFTER_MS} (a crashed instance) may be
 *   claimed again; its attempt is then sent once more with the same delivery id
 *   (receivers de-duplicate on `X-Warden-Delivery`).
 * - The outcome is written only by the claimant (the row's `updatedAt` is the
 *   claim's token), so a late writer never overwrites a newer claim.
 * - Redirects are never followed, the URL scheme is checked again right before
 *   sending, and nothing leaves without a signature.
 * - Nothing escapes: every failure is recorded on the row and logged (without
 *   the secret, the URL's query, or more than 200 characters of a response).
 */

export const WEBHOOK_EVENT_TYPE = 'warden.alert.v1';
/** After this many failed attempts a delivery is given up (status `failed`). */
export const WEBHOOK_MAX_ATTEMPTS = 6;
export const WEBHOOK_TIMEOUT_MS = 5_000;
/** A `delivering` row this old belongs to an instance that died mid-attempt. */
export const ABANDONED_AFTER_MS = 2 * 60_000;
const BATCH = 20;
const MAX_EVENT_SEQS = 50;
const MAX_ERROR_BODY = 200;
const NO_SECRET = 'no signing secret configured (alerts.webhook_secret)';
const SECRET_UNREADABLE = 'signing secret cannot be opened (alerts.webhook_secret): set it again';
const BAD_URL = 'webhook URL not allowed (https, or http only to localhost), not sent';

const BACKOFF_MS = [15_000, 60_000, 5 * 60_000, 15 * 60_000, 60 * 60_000] as const;

/**
 * The wait before the next attempt after failed attempt number `attempt`
 * (1-based): 15 s, 1 min, 5 min, 15 min, then 1 h. The caller gives up after
 * {@link WEBHOOK_MAX_ATTEMPTS} attempts.
 */
export function webhookBackoffMs(attempt: number): number {
  const index = Math.min(Math.max(Math.floor(attempt), 1), BACKOFF_MS.length) - 1;
  return BACKOFF_MS[index]!;
}

/**
 * The signature a delivery carries in `X-Warden-Signature`: `sha256=` and the
 * lowercase hex HMAC-SHA-256, keyed with the shared secret (UTF-8), of
 * `<timestamp>.<body>` (timestamp in unix seconds, body the exact bytes sent).
 * Binding the timestamp lets a receiver reject replays of old deliveries.
 */
export function signWebhook(secret: string, timestamp: number | string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`, 'utf8').digest('hex')}`;
}

/** True for a URL a delivery may go to: https, or plain http only to this machine; no credentials. */
export function isAllowedWebhookUrl(value: string): boolean {
  try {
    const u = new URL(value);
    const local = ['localhost', '127.0.0.1', '[::1]'].includes(u.hostname);
    return (u.protocol === 'https:' || (u.protocol === 'http:' && local)) && !u.username && !u.password;
  } catch {
    return false;
  }
}

const DELIVERY_SELECT = {
  id: true,
  url: true,
  attempts: true,
  alert: {
    select: {
      id: true,
      rule: true,
      severity: true,
      status: true,
      summary: true,
      actorId: true,
      count: true,
      firstSeq: true,
      lastSeq: true,
      eventSeqs: true,
      createdAt: true,
    },
  },
} as const;

type Claimed = {
  id: string;
  url: string;
  attempts: number;
  alert: {
    id: string;
    rule: string;
    severity: string;
    status: string;
    summary: string;
    actorId: string | null;
    count: number;
    firstSeq: number | null;
    lastSeq: number | null;
    eventSeqs: string;
    createdAt: Date;
  };
};

/** The webhook body (before canonicalization); exported for tests and the docs' example. */
export function webhookPayload(delivery: Claimed, attempt: number, appUrl: string): Record<string, unknown> {
  const a = delivery.alert;
  let seqs: number[] = [];
  try {
    const parsed = JSON.parse(a.eventSeqs) as unknown;
    if (Array.isArray(parsed)) seqs = parsed.filter((s): s is number => Number.isSafeInteger(s));
  } catch {
    // A malformed list sends none; the seq range still says where to look.
  }
  const rule = (RULES as Record<string, { title: string } | undefined>)[a.rule];
  return {
    type: WEBHOOK_EVENT_TYPE,
    id: a.id,
    rule: a.rule,
    ruleTitle: rule?.title ?? a.rule,
    severity: a.severity,
    status: a.status,
    summary: a.summary,
    actorId: a.actorId,
    count: a.count,
    firstSeq: a.firstSeq,
    lastSeq: a.lastSeq,
    eventSeqs: seqs.slice(-MAX_EVENT_SEQS),
    createdAt: a.createdAt.toISOString(),
    consoleUrl: `${appUrl.replace(/\/+$/, '')}/alerts/${encodeURIComponent(a.id)}`,
    deliveryId: delivery.id,
    attempt,
  };
}

/** The signing secret, read through `client` (a given client) or the app's reader. */
async function signingSecret(client: Db | undefined): Promise<{ secret: string | null; error: string | null }> {
  try {
    if (!client) return { secret: await readSecretSetting('alerts.webhook_secret'), error: null };
    const row = await client.configEntry.findUnique({ where: { key: 'alerts.webhook_secret' }, select: { secretEnc: true } });
    return { secret: row?.secretEnc ? openSecret(row.secretEnc, secretAad('alerts.webhook_secret')) : null, error: null };
  } catch (error) {
    log.error({ err: { name: error instanceof Error ? error.name : 'Error' } }, 'alert webhook secret cannot be read');
    return { secret: null, error: SECRET_UNREADABLE };
  }
}

/**
 * Claims one delivery by a conditional update; the claim's time (written to
 * `updatedAt`) is returned as the token the outcome is written with, or null
 * when another instance got there first.
 */
async function claim(client: Db, candidate: { id: string; status: string }): Promise<Date | null> {
  const at = now();
  const where =
    candidate.status === 'pending'
      ? { id: candidate.id, status: 'pending', nextAttemptAt: { lte: at } }
      : { id: candidate.id, status: 'delivering', updatedAt: { lt: new Date(at.getTime() - ABANDONED_AFTER_MS) } };
  const taken = await client.alertDelivery.updateMany({ where, data: { status: 'delivering', updatedAt: at } });
  return taken.count === 1 ? at : null;
}

type Outcome = { ok: true; status: number } | { ok: false; status: number | null; error: string; permanent?: boolean };

/** Keeps an error text short and printable. */
function clip(text: string, max: number): string {
  const clean = text.replace(/[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]+/g, ' ').trim();
  return clean.length > max ? `${clean.slice(0, max)}…` : clean;
}

/** The first bytes of a response body (at most ~1 KiB read), for the error text. */
async function bodySnippet(res: Response): Promise<string> {
  const reader = res.body?.getReader();
  if (!reader) return '';
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    while (size < 1024) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      size += value.byteLength;
    }
  } catch {
    // Whatever arrived is enough.
  } finally {
    void reader.cancel().catch(() => undefined);
  }
  return clip(Buffer.concat(chunks).toString('utf8'), MAX_ERROR_BODY);
}

function networkError(error: unknown): string {
  if (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError')) {
    return `timed out after ${WEBHOOK_TIMEOUT_MS / 1000} s`;
  }
  const cause = error instanceof Error ? (error.cause as { code?: unknown } | undefined) : undefined;
  const code = typeof cause?.code === 'string' ? cause.code : error instanceof Error ? error.name : 'Error';
  return `network error: ${clip(code, 60)}`;
}

async function send(url: string, body: string, headers: Record<string, string>): Promise<Outcome> {
  let res: Response;
  try {
    res = await fetch(url, {
      method: 'POST',
      headers,
      body,
      redirect: 'manual',
      signal: AbortSignal.timeout(WEBHOOK_TIMEOUT_MS),
    });
  } catch (error) {
    return { ok: false, status: null, error: networkError(error) };
  }
  if (res.status >= 200 && res.status < 300) {
    void res.body?.cancel().catch(() => undefined);
    return { ok: true, status: res.status };
  }
  if (res.type === 'opaqueredirect' || (res.status >= 300 && res.status < 400)) {
    void res.body?.cancel().catch(() => undefined);
    return { ok: false, status: res.status || null, error: `HTTP ${res.status || 'redirect'}: redirect not followed` };
  }
  const snippet = await bodySnippet(res);
  return { ok: false, status: res.status, error: snippet ? `HTTP ${res.status}: ${snippet}` : `HTTP ${res.status}` };
}

/** One claimed delivery: sign, send, record the outcome. */
async function attemptDelivery(
  client: Db,
  delivery: Claimed,
  token: Date,
  secret: { secret: string | null; error: string | null },
): Promise<{ result: 'delivered' | 'retry' | 'failed'; status: number | null; error: string | null }> {
  const attempt = delivery.attempts + 1;
  let outcome: Outcome;
  if (!isAllowedWebhookUrl(delivery.url)) {
    outcome = { ok: false, status: null, error: BAD_URL, permanent: true };
  } else if (!secret.secret) {
    outcome = { ok: false, status: null, error: secret.error ?? NO_SECRET };
  } else {
    let body: string;
    try {
      body = canonicalize(webhookPayload(delivery, attempt, env().APP_URL));
    } catch {
      body = '';
    }
    const timestamp = Math.floor(now().getTime() / 1000);
    outcome = !body
      ? { ok: false, status: null, error: 'alert cannot be encoded as canonical JSON, not sent', permanent: true }
      : await send(delivery.url, body, {
          'content-type': 'application/json',
          'user-agent': 'Warden-Alerts/1',
          'x-warden-delivery': delivery.id,
          'x-warden-timestamp': String(timestamp),
          'x-warden-signature': signWebhook(secret.secret, timestamp, body),
        });
  }
  const at = now();
  const mine = { id: delivery.id, status: 'delivering', updatedAt: token };
  if (outcome.ok) {
    await client.alertDelivery.updateMany({
      where: mine,
      data: { status: 'delivered', attempts: attempt, deliveredAt: at, lastStatus: outcome.status, lastError: null, updatedAt: at },
    });
    return { result: 'delivered', status: outcome.status, error: null };
  }
  const giveUp = outcome.permanent === true || attempt >= WEBHOOK_MAX_ATTEMPTS;
  await client.alertDelivery.updateMany({
    where: mine,
    data: {
      status: giveUp ? 'failed' : 'pending',
      attempts: attempt,
      lastStatus: outcome.status,
      lastError: clip(outcome.error, 300),
      nextAttemptAt: giveUp ? at : new Date(at.getTime() + webhookBackoffMs(attempt)),
      updatedAt: at,
    },
  });
  return { result: giveUp ? 'failed' : 'retry', status: outcome.status, error: clip(outcome.error, 300) };
}

/**
 * Delivers the due alert webhooks (at most 20 per run), one claimed delivery at
 * a time. Returns how many deliveries this run attempted (claimed), whatever
 * their outcome. Never throws: failures are recorded on the rows and logged.
 */
export async function deliverDueAlerts(client?: Db): Promise<number> {
  let attempted = 0;
  try {
    const c = client ?? (await db());
    const at = now();
    const due = await c.alertDelivery.findMany({
      where: {
        OR: [
          { status: 'pending', nextAttemptAt: { lte: at } },
          { status: 'delivering', updatedAt: { lt: new Date(at.getTime() - ABANDONED_AFTER_MS) } },
        ],
      },
      orderBy: { nextAttemptAt: 'asc' },
      take: BATCH,
      select: { id: true, status: true },
    });
    if (due.length === 0) return 0;
    const secret = await signingSecret(client);
    for (const candidate of due) {
      try {
        const token = await claim(c, candidate);
        if (!token) continue;
        attempted += 1;
        const delivery = await c.alertDelivery.findUniqueOrThrow({ where: { id: candidate.id }, select: DELIVERY_SELECT });
        const { result, status, error } = await attemptDelivery(c, delivery, token, secret);
        const fields = { deliveryId: delivery.id, alertId: delivery.alert.id, attempt: delivery.attempts + 1, status };
        if (result === 'delivered') log.info(fields, 'alert webhook delivered');
        else
          log.warn(
            { ...fields, error },
            result === 'failed' ? 'alert webhook delivery failed for good' : 'alert webhook delivery failed; will retry',
          );
      } catch (error) {
        // The row stays `delivering` and is claimed again once abandoned.
        log.error(
          { deliveryId: candidate.id, err: { name: error instanceof Error ? error.name : 'Error', message: errorMessage(error) } },
          'alert webhook delivery could not be recorded',
        );
      }
    }
  } catch (error) {
    log.error({ err: { name: error instanceof Error ? error.name : 'Error', message: errorMessage(error) } }, 'alert webhook run failed');
  }
  return attempted;
}

function errorMessage(error: unknown): string {
  return clip(error instanceof Error ? error.message : String(error), 200);
}
