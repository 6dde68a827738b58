import { execFile } from 'node:child_process';
import { createPrivateKey, generateKeyPairSync, randomUUID, sign, type KeyObject } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { NextRequest } from 'next/server';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { cosignCheckpointAction } from '@/app/(console)/audit/_actions/cosign-checkpoint';
import { registerWitnessAction } from '@/app/(console)/audit/_actions/register-witness';
import { revokeWitnessAction } from '@/app/(console)/audit/_actions/revoke-witness';
import { GET as listCheckpoints } from '@/app/api/audit/checkpoints/route';
import { POST as postCosignature } from '@/app/api/audit/cosignatures/route';
import { GET as downloadTool } from '@/app/api/audit/verifier/route';
import { appendAuditEvent } from '@/lib/audit/append';
import { CHECKPOINT_FORMAT, rawPublicKey, signCheckpoint, type StoredCheckpoint } from '@/lib/audit/checkpoint-format';
import { exportAuditBundle } from '@/lib/audit/export';
import { generateKeyPair, initSigningKey, loadSigningKey, type SigningKey } from '@/lib/audit/signing-keys';
import { COSIGNATURE_FORMAT, cosignatureMessage, witnessKeyIdOf, type Cosignature } from '@/lib/audit/witness-format';
import { WITNESS_LIMITS } from '@/lib/dal/witness-limit';
import { witnessSummary } from '@/lib/dal/witnesses';
import { env } from '@/lib/env';
import { ActionHarness, type Caller } from '../helpers/action-harness';
import { runInRequestScope } from '../helpers/request-scope';
import { testProviders } from '../helpers/test-db';

/**
 * Witness cosigning (issue 13): an auditor registers a witness key (step-up,
 * reason), cosignatures arrive from the console or, without a session, from the
 * witness process (POST /api/audit/cosignatures), and are kept append-only; the
 * export bundle carries them and the standalone verifier proves them with the
 * auditor's own witness key. Real server actions, route handlers and databases;
 * the witness tool runs with plain node against the real route handlers.
 */
vi.hoisted(() => {
  vi.stubEnv('APP_URL', 'http://localhost:3000');
  vi.stubEnv('AUTH_SECRET', 'warden-integration-tests-secret-0123456789');
  vi.stubEnv('WARDEN_ENCRYPTION_KEYS', '');
  vi.stubEnv('WARDEN_ENCRYPTION_KEY_ID', undefined);
  vi.stubEnv('WARDEN_AUDIT_PUBLIC_KEYS_FILE', '/nonexistent/warden-witness-test/public-keys.json');
  vi.stubEnv('LOG_LEVEL', 'silent');
});
vi.mock('next/headers', () => import('../helpers/request-scope'));
vi.mock('next/cache', () => ({ revalidatePath: () => undefined, revalidateTag: () => undefined }));

const root = path.resolve(__dirname, '../..');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'warden-witness-int-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

function node(file: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [file, ...args], { timeout: 60_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : -1) : 0, stdout, stderr });
    });
  });
}

interface WitnessKey {
  privateKey: KeyObject;
  publicKey: string;
  keyId: string;
}
/** Polls `check` until it holds (at most 10 s). */
async function until(check: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error('timed out waiting for a condition');
}

/** PostgreSQL: whether a session of the test database waits for a lock (the request in flight is held). */
async function waitingOnALock(h: ActionHarness): Promise<boolean> {
  const [row] = await h.db.$queryRaw<{ n: bigint }[]>`SELECT count(*) AS n FROM pg_stat_activity
    WHERE datname = current_database() AND wait_event_type = 'Lock'`;
  return Number(row!.n) > 0;
}

function witnessKey(): WitnessKey {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const raw = rawPublicKey(publicKey);
  return { privateKey, publicKey: raw.toString('base64url'), keyId: witnessKeyIdOf(raw) };
}
function cosign(w: WitnessKey, c: { seq: number; digest: string }, ts = new Date().toISOString()): Cosignature {
  return {
    format: COSIGNATURE_FORMAT,
    seq: c.seq,
    digest: c.digest,
    witnessKeyId: w.keyId,
    ts,
    signature: sign(null, cosignatureMessage({ digest: c.digest, seq: c.seq, ts }), w.privateKey).toString('base64url'),
  };
}

describe.each(testProviders())('witness cosigning (%s)', (provider) => {
  let h: ActionHarness;
  let key: SigningKey;
  let keysFile: string;
  const checkpoints: StoredCheckpoint[] = [];

  async function seed(n: number) {
    for (let i = 0; i < n; i++) {
      await h.db.$transaction((tx) =>
        appendAuditEvent(tx, {
          actor: null,
          ip: null,
          userAgent: 'witness test',
          correlationId: `seed-${randomUUID()}`,
          operation: 'user.suspend',
          target: { type: 'User', id: 'usr_x' },
          outcome: 'success',
          details: {},
          policyVersion: 'test',
        }),
      );
    }
  }
  /** A checkpoint of the current head, signed and stored as lib/audit/checkpoint.ts does. */
  async function checkpoint(): Promise<StoredCheckpoint> {
    const head = (await h.db.auditEvent.findFirst({ orderBy: { seq: 'desc' } }))!;
    const ts = new Date(Math.max(Date.now(), Date.parse(checkpoints.at(-1)?.ts ?? '1970-01-01T00:00:00Z') + 1) + 1000).toISOString();
    const stored = signCheckpoint(
      { format: CHECKPOINT_FORMAT, seq: head.seq, headHash: head.hash, ts, keyId: key.keyId, prev: checkpoints.at(-1)?.digest ?? null },
      key.privateKey,
    );
    await h.db.auditCheckpoint.create({
      data: {
        seq: stored.seq,
        headHash: stored.headHash,
        ts: new Date(ts),
        keyId: stored.keyId,
        prev: stored.prev,
        digest: stored.digest,
        signature: stored.signature,
      },
    });
    checkpoints.push(stored);
    return stored;
  }

  beforeAll(async () => {
    h = await ActionHarness.create(provider, 'witness');
    keysFile = path.join(tmp, `${provider}-public-keys.json`);
    key = loadSigningKey({ pem: generateKeyPair().privatePem })!;
    initSigningKey({ current: key, publicKeysFile: keysFile });
    await seed(3);
    await checkpoint();
    await seed(2);
    await checkpoint();
  }, 120_000);
  afterAll(async () => {
    await h?.cleanup();
  });

  function post(caller: Caller, body: unknown, headers: Record<string, string> = {}) {
    const scope = h.scope(caller, randomUUID(), { 'content-type': 'application/json', ...headers });
    const url = `${new URL(env().APP_URL).origin}/api/audit/cosignatures`;
    return runInRequestScope(scope, () =>
      postCosignature(
        new NextRequest(url, { method: 'POST', headers: scope.headers, body: typeof body === 'string' ? body : JSON.stringify(body) }),
      ),
    );
  }
  function list(caller: Caller, query: string) {
    const scope = h.scope(caller, randomUUID());
    return runInRequestScope(scope, () =>
      listCheckpoints(new NextRequest(`${new URL(env().APP_URL).origin}/api/audit/checkpoints${query}`, { headers: scope.headers })),
    );
  }
  const cosignatureRows = () => h.db.checkpointCosignature.findMany({ orderBy: [{ checkpointSeq: 'asc' }, { witnessKeyId: 'asc' }] });
  const events = (operation: string) => h.db.auditEvent.findMany({ where: { operation }, orderBy: { seq: 'asc' } });

  /** Registers `w` as a fresh auditor, with a step-up and a reason. */
  async function register(w: WitnessKey, name = 'Audit firm laptop') {
    const auditor = await h.caller('auditor');
    const input = { name, publicKey: w.publicKey, reason: 'External audit witness for FY2026' };
    const proof = await h.stepUpProof(auditor, 'witness.register', input);
    const called = await h.call(auditor, registerWitnessAction, input, { stepUpProof: proof });
    return { auditor, ...called };
  }

  describe('registering and revoking witness keys', () => {
    it('an auditor registers a key with a step-up and a reason; the registration is audited', async () => {
      const w = witnessKey();
      const { auditor, result, correlationId } = await register(w);
      expect(result).toMatchObject({ ok: true, data: { keyId: w.keyId } });
      const row = await h.db.witnessKey.findUniqueOrThrow({ where: { id: w.keyId } });
      expect(row).toMatchObject({ publicKey: w.publicKey, name: 'Audit firm laptop', registeredById: auditor.user!.id, revokedAt: null });
      const [event] = await h.eventsOf(correlationId);
      expect(event).toMatchObject({
        operation: 'witness.register',
        outcome: 'success',
        actorId: auditor.user!.id,
        actorRole: 'auditor',
        targetType: 'WitnessKey',
        targetId: w.keyId,
        decision: 'auditor.witness',
        reason: 'External audit witness for FY2026',
      });
      expect(JSON.parse(event!.details)).toMatchObject({ stepUp: true, name: 'Audit firm laptop', publicKey: w.publicKey });
      // The same key again: refused.
      const again = await register(w);
      expect(again.result).toMatchObject({ ok: false, code: 'CONFLICT' });
    });

    it('refuses without a step-up, without a reason, a malformed key, and anyone but an auditor; nothing is stored', async () => {
      const w = witnessKey();
      const auditor = await h.caller('auditor');
      const input = { name: 'No step-up', publicKey: w.publicKey, reason: 'Testing the refusal path' };
      expect((await h.call(auditor, registerWitnessAction, input)).result).toMatchObject({ ok: false, code: 'STEP_UP_REQUIRED' });
      const noReason = { name: 'No reason', publicKey: w.publicKey };
      expect((await h.call(auditor, registerWitnessAction, noReason)).result).toMatchObject({ ok: false, code: 'REASON_REQUIRED' });
      const bad = await h.call(auditor, registerWitnessAction, {
        name: 'Bad key',
        publicKey: 'not-a-key',
        reason: 'Testing the refusal path',
      });
      expect(bad.result).toMatchObject({ ok: false, code: 'VALIDATION' });
      for (const role of ['superadmin', 'admin', 'support'] as const) {
        const caller = await h.caller(role);
        const called = await h.call(caller, registerWitnessAction, input);
        expect(called.result, role).toMatchObject({ ok: false, code: 'FORBIDDEN' });
        const [denied] = await h.eventsOf(called.correlationId);
        expect(denied).toMatchObject({ operation: 'witness.register', outcome: 'denied', reasonCode: 'forbidden' });
      }
      expect(await h.db.witnessKey.findUnique({ where: { id: w.keyId } })).toBeNull();
    });

    // PostgreSQL only (see the revocation in flight below).
    it.skipIf(provider === 'sqlite')(
      'a registration of a key registered meanwhile is a CONFLICT, not an internal error',
      async () => {
        const w = witnessKey();
        const auditor = await h.caller('auditor');
        const input = { name: 'Twice at once', publicKey: w.publicKey, reason: 'External audit witness for FY2026' };
        const proof = await h.stepUpProof(auditor, 'witness.register', input);
        let inFlight: ReturnType<typeof h.call> | undefined;
        await h.db.$transaction(
          async (tx) => {
            await tx.$executeRaw`UPDATE "AuditLock" SET "appends" = "appends" WHERE "id" = 1`;
            await tx.witnessKey.create({
              data: {
                id: w.keyId,
                publicKey: w.publicKey,
                name: 'The other one',
                registeredById: auditor.user!.id,
                registeredAt: new Date(),
              },
            });
            inFlight = h.call(auditor, registerWitnessAction, input, { stepUpProof: proof });
            await until(() => waitingOnALock(h));
          },
          { timeout: 20_000 },
        );
        const { result } = await inFlight!;
        expect(result).toMatchObject({ ok: false, code: 'CONFLICT' });
        expect(await h.db.witnessKey.findUniqueOrThrow({ where: { id: w.keyId } })).toMatchObject({ name: 'The other one' });
      },
      30_000,
    );

    it('an auditor revokes a key with a step-up; a revoked key is never registered again', async () => {
      const w = witnessKey();
      await register(w);
      const auditor = await h.caller('auditor');
      const input = { keyId: w.keyId, reason: 'Laptop retired' };
      const superadmin = await h.caller('superadmin');
      expect((await h.call(superadmin, revokeWitnessAction, input)).result).toMatchObject({ ok: false, code: 'FORBIDDEN' });
      expect((await h.call(auditor, revokeWitnessAction, input)).result).toMatchObject({ ok: false, code: 'STEP_UP_REQUIRED' });
      const proof = await h.stepUpProof(auditor, 'witness.revoke', input);
      const revoked = await h.call(auditor, revokeWitnessAction, input, { stepUpProof: proof });
      expect(revoked.result).toMatchObject({ ok: true, data: { keyId: w.keyId } });
      expect(await h.db.witnessKey.findUniqueOrThrow({ where: { id: w.keyId } })).toMatchObject({ revokedById: auditor.user!.id });
      expect((await h.eventsOf(revoked.correlationId))[0]).toMatchObject({
        operation: 'witness.revoke',
        outcome: 'success',
        targetId: w.keyId,
      });
      // Its cosignatures are refused from now on.
      const res = await post(h.anonymous(), cosign(w, checkpoints[0]!));
      expect(res.status).toBe(403);
      expect(((await res.json()) as { status: string }).status).toBe('revoked_witness');
      expect((await register(w)).result).toMatchObject({ ok: false, code: 'CONFLICT' });
    });
  });

  describe('POST /api/audit/cosignatures (no session)', () => {
    let w: WitnessKey;
    beforeAll(async () => {
      w = witnessKey();
      await register(w, 'Watch process');
    });

    it('accepts a cosignature that verifies over the stored digest, stores it and audits it with no actor; a repeat changes nothing', async () => {
      const before = (await events('checkpoint.cosign')).length;
      const c = cosign(w, checkpoints[0]!);
      const res = await post(h.anonymous(), c);
      expect(res.status).toBe(201);
      expect(await res.json()).toMatchObject({ status: 'accepted' });
      const rows = (await cosignatureRows()).filter((r) => r.witnessKeyId === w.keyId);
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({ checkpointSeq: checkpoints[0]!.seq, digest: checkpoints[0]!.digest, signature: c.signature });
      expect(rows[0]!.ts.toISOString()).toBe(c.ts);
      const audited = await events('checkpoint.cosign');
      expect(audited).toHaveLength(before + 1);
      expect(audited.at(-1)).toMatchObject({
        actorId: null,
        outcome: 'success',
        targetType: 'AuditCheckpoint',
        targetId: String(checkpoints[0]!.seq),
      });
      expect(JSON.parse(audited.at(-1)!.details)).toMatchObject({ via: 'api', witnessKeyId: w.keyId, digest: checkpoints[0]!.digest });

      const again = await post(h.anonymous(), cosign(w, checkpoints[0]!));
      expect(again.status).toBe(200);
      expect(await again.json()).toMatchObject({ status: 'duplicate' });
      expect((await events('checkpoint.cosign')).length).toBe(before + 1);
    });

    it('refuses a forged signature, an unknown key, malformed bodies and a wrong content type, storing and recording nothing', async () => {
      const rowsBefore = (await cosignatureRows()).length;
      const eventsBefore = (await events('checkpoint.cosign')).length;
      const good = cosign(w, checkpoints[1]!);
      const sig = Buffer.from(good.signature, 'base64url');
      sig[3] = sig[3]! ^ 0x80;
      const forged = await post(h.anonymous(), { ...good, signature: sig.toString('base64url') });
      expect(forged.status).toBe(422);
      expect(await forged.json()).toMatchObject({ status: 'bad_signature' });
      const stranger = witnessKey();
      const unknown = await post(h.anonymous(), cosign(stranger, checkpoints[1]!));
      expect(unknown.status).toBe(404);
      expect(await unknown.json()).toMatchObject({ status: 'unknown_witness' });
      expect((await post(h.anonymous(), '{not json')).status).toBe(400);
      expect((await post(h.anonymous(), { ...good, extra: 1 })).status).toBe(400);
      expect((await post(h.anonymous(), good, { 'content-type': 'text/plain' })).status).toBe(415);
      const future = await post(h.anonymous(), cosign(w, checkpoints[1]!, new Date(Date.now() + 3600_000).toISOString()));
      expect(future.status).toBe(422);
      expect((await cosignatureRows()).length).toBe(rowsBefore);
      expect((await events('checkpoint.cosign')).length).toBe(eventsBefore);
    });

    it('stops reading a body without Content-Length at the size limit (413), whatever its length', async () => {
      let pulled = 0;
      const chunk = new TextEncoder().encode(' '.repeat(64 * 1024));
      const body = new ReadableStream<Uint8Array>({
        pull(controller) {
          pulled += 1;
          if (pulled > 2000)
            controller.close(); // 128 MB if read to the end
          else controller.enqueue(chunk);
        },
      });
      const scope = h.scope(h.anonymous(), randomUUID(), { 'content-type': 'application/json' });
      const url = `${new URL(env().APP_URL).origin}/api/audit/cosignatures`;
      const res = await runInRequestScope(scope, () =>
        postCosignature(new NextRequest(url, { method: 'POST', headers: scope.headers, body, duplex: 'half' } as { body: ReadableStream })),
      );
      expect(res.status).toBe(413);
      expect(await res.json()).toMatchObject({ status: 'too_large' });
      expect(pulled).toBeLessThan(10);
    });

    it('a valid signature over another digest for a seq is a fork claim: refused (409), nothing stored, recorded as a security event', async () => {
      const rowsBefore = (await cosignatureRows()).length;
      const claim = cosign(w, { seq: checkpoints[1]!.seq, digest: 'e'.repeat(64) });
      const res = await post(h.anonymous(), claim);
      expect(res.status).toBe(409);
      expect(await res.json()).toMatchObject({ status: 'fork_claim' });
      expect((await cosignatureRows()).length).toBe(rowsBefore);
      const denied = (await events('checkpoint.cosign')).at(-1)!;
      expect(denied).toMatchObject({ outcome: 'denied', reasonCode: 'fork_claim', actorId: null, targetId: String(checkpoints[1]!.seq) });
      expect(JSON.parse(denied.details)).toMatchObject({
        claimedDigest: 'e'.repeat(64),
        storedDigest: checkpoints[1]!.digest,
        witnessKeyId: w.keyId,
      });
      // A seq with no checkpoint at all is the same claim.
      const ghost = await post(h.anonymous(), cosign(w, { seq: 999, digest: 'f'.repeat(64) }));
      expect(ghost.status).toBe(409);
      // So is a seq beyond the range of checkpoint numbers (not a server error).
      const far = await post(h.anonymous(), cosign(w, { seq: 3_000_000_000, digest: 'f'.repeat(64) }));
      expect(far.status).toBe(409);
      expect(await far.json()).toMatchObject({ status: 'fork_claim' });
    });

    it('is rate limited per client address', async () => {
      const caller = h.anonymous();
      const { limit } = WITNESS_LIMITS.cosignatures;
      for (let i = 0; i < limit; i++) expect((await post(caller, '{}')).status).toBe(400);
      const refused = await post(caller, cosign(w, checkpoints[1]!));
      expect(refused.status).toBe(429);
      expect(refused.headers.get('retry-after')).toBeTruthy();
      expect((await cosignatureRows()).some((r) => r.witnessKeyId === w.keyId && r.checkpointSeq === checkpoints[1]!.seq)).toBe(false);
      // Another address is not affected.
      expect((await post(h.anonymous(), cosign(w, checkpoints[1]!))).status).toBe(201);
    }, 60_000);

    // PostgreSQL only: a revocation is held at the audit chain lock while a cosignature by its key arrives. SQLite has
    // one writer and this client one connection, so a second transaction cannot be open while the first waits.
    it.skipIf(provider === 'sqlite')(
      'a revocation in flight wins over a cosignature that arrives meanwhile: refused (403), nothing stored',
      async () => {
        const v = witnessKey();
        await register(v, 'Revoked in flight');
        let inFlight: Promise<Response> | undefined;
        await h.db.$transaction(
          async (tx) => {
            await tx.$executeRaw`UPDATE "AuditLock" SET "appends" = "appends" WHERE "id" = 1`;
            await tx.witnessKey.update({ where: { id: v.keyId }, data: { revokedAt: new Date(), revokedById: 'usr_revoker' } });
            inFlight = post(h.anonymous(), cosign(v, checkpoints[0]!));
            await until(() => waitingOnALock(h));
          },
          { timeout: 20_000 },
        );
        const res = await inFlight!;
        expect(res.status).toBe(403);
        expect(await res.json()).toMatchObject({ status: 'revoked_witness' });
        expect((await cosignatureRows()).filter((r) => r.witnessKeyId === v.keyId)).toEqual([]);
      },
      30_000,
    );

    it('cosignatures are append-only in the database: UPDATE and DELETE are refused', async () => {
      const row = (await cosignatureRows())[0]!;
      await expect(h.db.$executeRawUnsafe(`UPDATE "CheckpointCosignature" SET "signature" = 'x' WHERE "id" = '${row.id}'`)).rejects.toThrow(
        /append-only/,
      );
      await expect(h.db.$executeRawUnsafe(`DELETE FROM "CheckpointCosignature" WHERE "id" = '${row.id}'`)).rejects.toThrow(/append-only/);
      await expect(h.db.checkpointCosignature.deleteMany({})).rejects.toThrow();
      await expect(h.db.$executeRawUnsafe(`DELETE FROM "WitnessKey" WHERE "id" = '${row.witnessKeyId}'`)).rejects.toThrow();
      await expect(
        h.db.$executeRawUnsafe(`UPDATE "WitnessKey" SET "publicKey" = 'x' WHERE "id" = '${row.witnessKeyId}'`),
      ).rejects.toThrow();
      expect(await h.db.checkpointCosignature.findUniqueOrThrow({ where: { id: row.id } })).toEqual(row);
    });
  });

  describe('uploading a cosignature in the console', () => {
    it('an auditor uploads a cosignature: verified and recorded with the auditor as actor; a refusal says why', async () => {
      const w = witnessKey();
      await register(w, 'Offline witness');
      const auditor = await h.caller('auditor');
      const ok = await h.call(auditor, cosignCheckpointAction, { cosignature: JSON.stringify(cosign(w, checkpoints[1]!)) });
      expect(ok.result).toMatchObject({ ok: true, data: { status: 'accepted', seq: checkpoints[1]!.seq, witnessKeyId: w.keyId } });
      expect((await h.eventsOf(ok.correlationId))[0]).toMatchObject({
        operation: 'checkpoint.cosign',
        outcome: 'success',
        actorId: auditor.user!.id,
      });

      const sig = Buffer.from(cosign(w, checkpoints[0]!).signature, 'base64url');
      sig[0] = sig[0]! ^ 1;
      const bad = await h.call(auditor, cosignCheckpointAction, {
        cosignature: JSON.stringify({ ...cosign(w, checkpoints[0]!), signature: sig.toString('base64url') }),
      });
      expect(bad.result).toMatchObject({ ok: false, code: 'VALIDATION' });
      expect(bad.result.ok ? '' : bad.result.message).toContain('does not verify');
      const junk = await h.call(auditor, cosignCheckpointAction, { cosignature: 'hello' });
      expect(junk.result).toMatchObject({ ok: false, code: 'VALIDATION' });
      const fork = await h.call(auditor, cosignCheckpointAction, {
        cosignature: JSON.stringify(cosign(w, { seq: checkpoints[0]!.seq, digest: 'd'.repeat(64) })),
      });
      expect(fork.result).toMatchObject({ ok: false, code: 'CONFLICT' });
      expect((await h.eventsOf(fork.correlationId))[0]).toMatchObject({
        outcome: 'denied',
        reasonCode: 'fork_claim',
        actorId: auditor.user!.id,
      });

      const superadmin = await h.caller('superadmin');
      expect(
        (await h.call(superadmin, cosignCheckpointAction, { cosignature: JSON.stringify(cosign(w, checkpoints[0]!)) })).result,
      ).toMatchObject({
        ok: false,
        code: 'FORBIDDEN',
      });
    });
  });

  describe('GET /api/audit/checkpoints', () => {
    it('lists checkpoints after a seq with every signed member, the newest, and paging; bad parameters are refused', async () => {
      const res = await list(h.anonymous(), '?after=0&limit=1');
      expect(res.status).toBe(200);
      const body = (await res.json()) as {
        format: string;
        checkpoints: StoredCheckpoint[];
        newest: { seq: number; digest: string };
        more: boolean;
      };
      expect(body).toEqual({
        format: 'warden.checkpoints.v1',
        checkpoints: [checkpoints[0]],
        newest: { seq: checkpoints.at(-1)!.seq, digest: checkpoints.at(-1)!.digest },
        more: true,
      });
      const rest = (await (await list(h.anonymous(), `?after=${checkpoints[0]!.seq}`)).json()) as typeof body;
      expect(rest.checkpoints).toEqual(checkpoints.slice(1));
      expect(rest.more).toBe(false);
      expect((await list(h.anonymous(), '?after=-1')).status).toBe(400);
      expect((await list(h.anonymous(), '?limit=5000')).status).toBe(400);
      expect((await list(h.anonymous(), '?after=1&x=1')).status).toBe(400);
    });

    it('never reports a newest checkpoint beyond the end of its last page, even when one is made while it reads', async () => {
      await seed(1);
      const g = globalThis as unknown as { wardenDb?: Promise<{ db: unknown; provider: string }> };
      const saved = g.wardenDb;
      const real = h.db.auditCheckpoint;
      // The first of the route's two reads runs, then a checkpoint is made (as by another instance), then the second.
      let started = false;
      let made!: () => void;
      const between = new Promise<void>((resolve) => (made = resolve));
      const wrap =
        (name: 'findFirst' | 'findMany') =>
        async (args: unknown): Promise<unknown> => {
          const read = () => (real[name] as (a: unknown) => Promise<unknown>).call(real, args);
          if (started) {
            await between;
            return read();
          }
          started = true;
          const result = await read();
          await checkpoint();
          made();
          return result;
        };
      const delegate = { findFirst: wrap('findFirst'), findMany: wrap('findMany') };
      const client = new Proxy(h.db, { get: (target, prop) => (prop === 'auditCheckpoint' ? delegate : Reflect.get(target, prop)) });
      g.wardenDb = Promise.resolve({ db: client, provider });
      let body: { checkpoints: StoredCheckpoint[]; newest: { seq: number; digest: string }; more: boolean };
      try {
        const res = await list(h.anonymous(), `?after=${checkpoints.at(-1)!.seq}`);
        expect(res.status).toBe(200);
        body = (await res.json()) as typeof body;
      } finally {
        g.wardenDb = saved;
      }
      expect(body.more).toBe(false);
      const listed = body.checkpoints.map((c) => c.seq);
      // The page reaches the newest it reports (a witness would otherwise see a rollback that did not happen).
      expect(listed.at(-1) ?? 0).toBeGreaterThanOrEqual(body.newest.seq);
    });

    it('refuses a seq beyond the range of checkpoint numbers as a bad parameter, not a server error', async () => {
      const res = await list(h.anonymous(), '?after=3000000000');
      expect(res.status).toBe(400);
    });
  });

  describe('the integrity page data and the tool download', () => {
    it('summarises keys, cosignature counts and the latest witnessed checkpoint; serves the witness tool to auditors only', async () => {
      const auditor = await h.caller('auditor');
      const summary = await h.as(auditor, () => witnessSummary(h.viewerOf(auditor)));
      expect(summary.keys.length).toBeGreaterThan(0);
      expect(summary.latestWitnessed).toMatchObject({ seq: checkpoints[1]!.seq, witnessKeyIds: expect.any(Array) });
      expect(summary.newestCheckpoint).toMatchObject({
        seq: checkpoints.at(-1)!.seq,
        witnessed: summary.latestWitnessed?.seq === checkpoints.at(-1)!.seq,
      });
      expect(JSON.parse(summary.newestCheckpoint!.json)).toEqual(checkpoints.at(-1));
      expect(summary.keys.find((k) => k.name === 'Watch process')).toMatchObject({
        cosignatures: 2,
        lastCosignedSeq: checkpoints[1]!.seq,
        revokedAt: null,
      });

      const url = `${new URL(env().APP_URL).origin}/api/audit/verifier?tool=witness`;
      const res = await runInRequestScope(h.scope(auditor, randomUUID()), () => downloadTool(new Request(url)));
      expect(res.status).toBe(200);
      expect(res.headers.get('content-disposition')).toBe('attachment; filename="warden-witness.mjs"');
      expect(Buffer.from(await res.arrayBuffer())).toEqual(fs.readFileSync(path.join(root, 'tools/warden-witness.mjs')));
      const admin = await h.caller('admin');
      expect((await runInRequestScope(h.scope(admin, randomUUID()), () => downloadTool(new Request(url)))).status).toBe(404);
    });
  });

  describe('the witness process against the real routes, and the export bundle', () => {
    it('watch cosigns the newest checkpoint through the routes; the bundle carries the cosignatures; the verifier proves them with the witness key', async () => {
      // The witness tool's own key, registered by an auditor.
      const keyDir = path.join(tmp, `${provider}-watch`);
      const gen = await node(path.join(root, 'tools/warden-witness.mjs'), ['keygen', '--out', keyDir]);
      expect(gen.code, gen.stderr).toBe(0);
      const publicKey = fs.readFileSync(path.join(keyDir, 'witness-key.pub'), 'utf8').trim();
      const w: WitnessKey = {
        privateKey: createPrivateKey(fs.readFileSync(path.join(keyDir, 'witness-key.pem'), 'utf8')),
        publicKey,
        keyId: witnessKeyIdOf(Buffer.from(publicKey, 'base64url')),
      };
      await register(w, 'Watcher');
      await seed(2);
      const newest = await checkpoint();

      // A tiny HTTP server that hands each request to the real route handlers, in a request scope.
      const server = http.createServer((req, res) => {
        let body = '';
        req.on('data', (c: Buffer) => (body += c.toString('utf8')));
        req.on('end', async () => {
          const caller = h.anonymous();
          const scope = h.scope(caller, randomUUID(), { 'content-type': req.headers['content-type'] ?? '' });
          const url = `${new URL(env().APP_URL).origin}${req.url}`;
          const handler = req.url!.startsWith('/api/audit/checkpoints')
            ? () => listCheckpoints(new NextRequest(url, { headers: scope.headers }))
            : req.url!.startsWith('/api/audit/cosignatures')
              ? () => postCosignature(new NextRequest(url, { method: 'POST', headers: scope.headers, body }))
              : async () => new Response(fs.readFileSync(keysFile), { status: 200 });
          const out = await runInRequestScope(scope, handler);
          res.writeHead(out.status, { 'content-type': out.headers.get('content-type') ?? 'application/json' });
          res.end(Buffer.from(await out.arrayBuffer()));
        });
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      const origin = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
      const stateFile = path.join(keyDir, 'state.json');
      try {
        const run = await node(path.join(root, 'tools/warden-witness.mjs'), [
          'watch',
          '--url',
          origin,
          '--key',
          path.join(keyDir, 'witness-key.pem'),
          '--state',
          stateFile,
          '--once',
          '--server-keys',
          keysFile,
          '--init',
        ]);
        expect(run.code, run.stdout + run.stderr).toBe(0);
        expect(run.stdout).toContain(`COSIGNED checkpoint seq ${newest.seq}`);
      } finally {
        await new Promise<void>((resolve) => server.close(() => resolve()));
      }
      expect(
        await h.db.checkpointCosignature.findUnique({
          where: { checkpointSeq_witnessKeyId: { checkpointSeq: newest.seq, witnessKeyId: w.keyId } },
        }),
      ).not.toBeNull();

      const head = (await h.db.auditEvent.findFirst({ orderBy: { seq: 'desc' } }))!.seq;
      const out = path.join(tmp, `${provider}-bundle`);
      await exportAuditBundle(h.db, { from: 1, to: head, outDir: out, publicKeysFile: keysFile });
      const manifest = JSON.parse(fs.readFileSync(path.join(out, 'manifest.json'), 'utf8')) as {
        files: Record<string, unknown>;
        counts: Record<string, number>;
      };
      expect(Object.keys(manifest.files)).toEqual(expect.arrayContaining(['witness-keys.json', 'cosignatures.jsonl']));
      const lines = fs.readFileSync(path.join(out, 'cosignatures.jsonl'), 'utf8').split('\n').slice(0, -1);
      expect(manifest.counts.cosignatures).toBe(lines.length);
      expect(lines.map((l) => (JSON.parse(l) as Cosignature).witnessKeyId)).toContain(w.keyId);
      const witnessKeys = JSON.parse(fs.readFileSync(path.join(out, 'witness-keys.json'), 'utf8')) as {
        keys: { keyId: string; name: string }[];
      };
      expect(witnessKeys.keys.find((k) => k.keyId === w.keyId)).toMatchObject({ name: 'Watcher' });

      const verified = await node(path.join(out, 'warden-verify.mjs'), [
        out,
        '--keys',
        keysFile,
        '--witness-key',
        path.join(keyDir, 'witness-key.pub'),
        '--witness-state',
        stateFile,
      ]);
      expect(verified.code, verified.stdout + verified.stderr).toBe(0);
      expect(verified.stdout).toContain(
        `PROVEN  1 of ${checkpoints.length} checkpoints carry a valid cosignature by witness ${w.keyId} ("Watcher"`,
      );
      expect(verified.stdout).toContain(`PROVEN  newest witnessed checkpoint: seq ${newest.seq}, digest ${newest.digest}`);
      expect(verified.stdout).toContain('none differs');

      // The auditor's own key over a bundle whose cosignature was altered: forged.
      const text = fs.readFileSync(path.join(out, 'cosignatures.jsonl'), 'utf8');
      const mine = lines.find((l) => l.includes(w.keyId))!;
      const c = JSON.parse(mine) as Cosignature;
      const tampered = JSON.stringify({ ...c, ts: new Date(Date.parse(c.ts) + 1).toISOString() }).replace(/\s/g, '');
      // Re-canonicalise the member order as the export does (keys sorted).
      const obj = JSON.parse(tampered) as Record<string, unknown>;
      const canonical = `{${Object.keys(obj)
        .sort()
        .map((k) => `${JSON.stringify(k)}:${JSON.stringify(obj[k])}`)
        .join(',')}}`;
      fs.writeFileSync(path.join(out, 'cosignatures.jsonl'), text.replace(mine, canonical));
      const m = JSON.parse(fs.readFileSync(path.join(out, 'manifest.json'), 'utf8')) as { files: Record<string, { sha256: string }> };
      m.files['cosignatures.jsonl']!.sha256 = (await import('node:crypto'))
        .createHash('sha256')
        .update(fs.readFileSync(path.join(out, 'cosignatures.jsonl')))
        .digest('hex');
      fs.writeFileSync(path.join(out, 'manifest.json'), JSON.stringify(m));
      const forged = await node(path.join(out, 'warden-verify.mjs'), [out, '--keys', keysFile, '--witness-key', publicKey, '--json']);
      expect(forged.code).toBe(1);
      expect(JSON.parse(forged.stdout)).toMatchObject({ ok: false, class: 'forged_cosignature' });
    }, 120_000);
  });
});
