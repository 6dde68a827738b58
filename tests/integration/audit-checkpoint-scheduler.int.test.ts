import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { appendAuditEvent } from '@/lib/audit';
import { createTestDb } from '../helpers/test-db';

/*
 * The server side of checkpoints, with the configuration read from the environment as
 * in the running server: the scheduler's tick (instrumentation.ts) and
 * GET /api/audit/public-keys. SQLite only: the provider-specific parts are covered by
 * audit-checkpoint.int.test.ts.
 */
const log = vi.hoisted(() => ({ info: vi.fn(), warn: vi.fn(), error: vi.fn() }));
vi.mock('@/lib/log', () => ({ log, logFor: () => log }));

type TestDb = Awaited<ReturnType<typeof createTestDb>>;
let t: TestDb;
let tmp: string;

beforeAll(async () => {
  t = await createTestDb({ provider: 'sqlite' });
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'warden-cp-server-'));
  // Set before anything calls env(), which reads the environment once per process.
  vi.stubEnv('DATABASE_URL', t.url);
  vi.stubEnv('WARDEN_AUDIT_SIGNING_KEY_FILE', path.join(tmp, 'keys', 'signing-key.pem'));
  vi.stubEnv('WARDEN_AUDIT_SIGNING_KEY', '');
  vi.stubEnv('WARDEN_AUDIT_PUBLIC_KEYS_FILE', path.join(tmp, 'public-keys.json'));
  vi.stubEnv('WARDEN_AUDIT_CHECKPOINT_DIR', path.join(tmp, 'checkpoints'));
  vi.stubEnv('WARDEN_AUDIT_CHECKPOINT_EVERY', '2');
  for (let i = 0; i < 2; i++) {
    await t.db.$transaction((tx) =>
      appendAuditEvent(tx, {
        actor: null,
        correlationId: `sched-${i}`,
        operation: 'system.seed',
        target: null,
        outcome: 'success',
        policyVersion: 'policies@test',
      }),
    );
  }
});

afterAll(async () => {
  const { dbHandle } = await import('@/lib/db');
  await (await dbHandle()).db.$disconnect();
  await t.cleanup();
  fs.rmSync(tmp, { recursive: true, force: true });
  vi.unstubAllEnvs();
});

describe('checkpoint scheduler and public keys endpoint', () => {
  it('warns once and skips while no signing key exists, without throwing', async () => {
    const { tick } = await import('@/lib/audit/checkpoint-scheduler');
    await tick();
    await tick();
    expect(log.warn).toHaveBeenCalledTimes(1);
    expect(String(log.warn.mock.calls[0]?.[1])).toMatch(
      /audit checkpoints skipped: cannot read the audit signing key file .*audit:keys -- init/,
    );
    expect(log.error).not.toHaveBeenCalled();
    expect(await t.db.auditCheckpoint.count()).toBe(0);
  });

  it('404s on the public keys until they are published', async () => {
    const { GET } = await import('@/app/api/audit/public-keys/route');
    const res = await GET();
    expect(res.status).toBe(404);
    expect(res.headers.get('cache-control')).toBe('no-store');
  });

  it('makes a checkpoint once a key is set up, and serves the published keys', async () => {
    const { initSigningKey } = await import('@/lib/audit/signing-keys');
    const { tick } = await import('@/lib/audit/checkpoint-scheduler');
    const init = initSigningKey();
    expect(init.privateKeyFile).toBe(path.join(tmp, 'keys', 'signing-key.pem'));
    await tick();
    expect(log.error).not.toHaveBeenCalled();
    const row = await t.db.auditCheckpoint.findFirst();
    expect(row).toMatchObject({ seq: 2, keyId: init.keyId });
    expect(log.info).toHaveBeenCalledWith(expect.objectContaining({ seq: 2, keyId: init.keyId }), 'audit checkpoint made');
    expect(
      fs
        .readFileSync(path.join(tmp, 'checkpoints', 'checkpoints.jsonl'), 'utf8')
        .trim()
        .split('\n'),
    ).toHaveLength(1);
    await tick(); // nothing new
    expect(await t.db.auditCheckpoint.count()).toBe(1);

    const { GET } = await import('@/app/api/audit/public-keys/route');
    const res = await GET();
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(await res.json()).toEqual(JSON.parse(fs.readFileSync(path.join(tmp, 'public-keys.json'), 'utf8')));
  });

  it('logs a failure without the key and keeps running', async () => {
    const { tick } = await import('@/lib/audit/checkpoint-scheduler');
    fs.writeFileSync(path.join(tmp, 'public-keys.json'), '{');
    await t.db.$transaction((tx) =>
      appendAuditEvent(tx, {
        actor: null,
        correlationId: 'sched-x',
        operation: 'system.seed',
        target: null,
        outcome: 'success',
        policyVersion: 'policies@test',
      }),
    );
    await t.db.$transaction((tx) =>
      appendAuditEvent(tx, {
        actor: null,
        correlationId: 'sched-y',
        operation: 'system.seed',
        target: null,
        outcome: 'success',
        policyVersion: 'policies@test',
      }),
    );
    await expect(tick()).resolves.toBeUndefined();
    const logged = JSON.stringify([...log.warn.mock.calls, ...log.error.mock.calls]);
    expect(logged).toMatch(/not valid JSON/);
    expect(logged).not.toMatch(/PRIVATE KEY/);
    expect(await t.db.auditCheckpoint.count()).toBe(1);
  });
});
