/**
 * The audit page's integrity panel data (lib/dal/audit-integrity.ts): the newest
 * checkpoint checked on its own, on SQLite and PostgreSQL.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { appendAuditEvent } from '@/lib/audit';
import { createCheckpoint } from '@/lib/audit/checkpoint';
import { generateKeyPair, loadSigningKey, savePublicKeys } from '@/lib/audit/signing-keys';
import type { Viewer } from '@/lib/auth/viewer';
import type { Db } from '@/lib/db/client';
import { createTestDb, testProviders, type TestDb } from '../helpers/test-db';

// lib/env caches process.env on first use: the files are fixed before any import runs.
const work = vi.hoisted(() => {
  const dir = `${process.env.TMPDIR ?? '/tmp'}/warden-integrity-${process.pid}-${Date.now()}`;
  vi.stubEnv('WARDEN_AUDIT_PUBLIC_KEYS_FILE', `${dir}/public-keys.json`);
  vi.stubEnv('WARDEN_AUDIT_CHECKPOINT_DIR', `${dir}/ext`);
  vi.stubEnv('LOG_LEVEL', 'silent');
  return { dir, db: undefined as Db | undefined };
});
vi.mock('@/lib/db', () => ({ db: async () => work.db }));

const { auditIntegritySummary } = await import('@/lib/dal/audit-integrity');

const viewer = (role: Viewer['role']): Viewer => ({
  userId: 'usr_a',
  email: 'a@example.test',
  name: 'A',
  role,
  sessionId: 's',
  authTime: new Date(),
  amr: 'pwd+otp',
  mfaEnrolled: true,
});

async function append(db: Db, count: number) {
  await db.$transaction(async (tx) => {
    for (let i = 0; i < count; i++) {
      await appendAuditEvent(tx, {
        actor: null,
        correlationId: `c${i}`,
        operation: 'system.seed',
        target: null,
        outcome: 'success',
        details: {},
        policyVersion: 'p',
      });
    }
  });
}

beforeAll(() => {
  fs.mkdirSync(work.dir, { recursive: true });
});
afterAll(() => fs.rmSync(work.dir, { recursive: true, force: true }));

describe.each(testProviders())('audit integrity summary on %s', (provider) => {
  let t: TestDb;
  beforeAll(async () => {
    t = await createTestDb({ provider });
    work.db = t.db;
    return () => t.cleanup();
  });

  it(`reports no checkpoint, then a verified one and the events it does not cover yet (${provider})`, async () => {
    await append(t.db, 3);
    expect(await auditIntegritySummary(viewer('auditor'))).toMatchObject({ head: { seq: 3 }, checkpoint: null, eventsSinceCheckpoint: 3 });

    const pair = generateKeyPair();
    const key = loadSigningKey({ pem: pair.privatePem })!;
    const keysFile = path.join(work.dir, 'public-keys.json');
    savePublicKeys(
      {
        format: 'warden.public-keys.v1',
        keys: [{ keyId: key.keyId, publicKey: key.publicKey, validFrom: '2020-01-01T00:00:00.000Z', validUntil: null }],
      },
      keysFile,
    );
    await createCheckpoint(t.db, { signingKey: key, publicKeysFile: keysFile, dir: path.join(work.dir, 'ext') });
    await append(t.db, 2);

    expect(await auditIntegritySummary(viewer('superadmin'))).toMatchObject({
      head: { seq: 5 },
      checkpoint: { seq: 3, keyId: key.keyId, isSignatureValid: true, isMatchingEvent: true },
      eventsSinceCheckpoint: 2,
      externalLogSeq: 3,
    });

    // With a key the published file does not hold, the signature is not valid.
    savePublicKeys({ format: 'warden.public-keys.v1', keys: [] }, keysFile);
    expect((await auditIntegritySummary(viewer('auditor'))).checkpoint).toMatchObject({ isSignatureValid: false, isMatchingEvent: true });
  });

  it(`is refused outside the audit area (${provider})`, async () => {
    await expect(auditIntegritySummary(viewer('support'))).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });
});
