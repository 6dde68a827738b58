import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { approveRequestAction } from '@/app/(console)/approvals/_actions/approve-request';
import { authorizeKeyRotationAction } from '@/app/(console)/audit/_actions/authorize-key-rotation';
import { verifyChain } from '@/lib/audit/verify';
import { loadPublicKeys, loadSigningKey, rotateSigningKey, savePublicKeys } from '@/lib/audit/signing-keys';
import { ActionHarness, type Caller } from '../helpers/action-harness';
import { testProviders } from '../helpers/test-db';

// A signing key of this run, configured before lib/env reads the environment.
// vi.hoisted runs before the imports above exist, so it loads what it needs itself.
/* eslint-disable @typescript-eslint/no-require-imports, @typescript-eslint/consistent-type-imports */
const KEYS = vi.hoisted(() => {
  const nodeCrypto = require('node:crypto') as typeof import('node:crypto');
  const nodeFs = require('node:fs') as typeof import('node:fs');
  const dir = `${process.env.TMPDIR ?? '/tmp'}/warden-keyrot-${nodeCrypto.randomUUID()}`;
  nodeFs.mkdirSync(dir, { recursive: true });
  const { privateKey } = nodeCrypto.generateKeyPairSync('ed25519');
  const file = `${dir}/signing-key.pem`;
  nodeFs.writeFileSync(file, privateKey.export({ format: 'pem', type: 'pkcs8' }) as string, { mode: 0o600 });
  vi.stubEnv('WARDEN_AUDIT_SIGNING_KEY_FILE', file);
  vi.stubEnv('WARDEN_AUDIT_PUBLIC_KEYS_FILE', `${dir}/public-keys.json`);
  vi.stubEnv('APP_URL', 'http://localhost:3000');
  vi.stubEnv('AUTH_SECRET', 'warden-integration-tests-secret-0123456789');
  vi.stubEnv('WARDEN_ENCRYPTION_KEYS', '');
  vi.stubEnv('WARDEN_ENCRYPTION_KEY_ID', undefined);
  vi.stubEnv('LOG_LEVEL', 'silent');
  return { dir, file, publicKeysFile: `${dir}/public-keys.json` };
});
/* eslint-enable @typescript-eslint/no-require-imports, @typescript-eslint/consistent-type-imports */
vi.mock('next/headers', () => import('../helpers/request-scope'));
vi.mock('next/cache', () => ({ revalidatePath: () => undefined, revalidateTag: () => undefined }));

const REASON = 'Annual key rotation, change CHG-2211';

afterAll(() => fs.rmSync(KEYS.dir, { recursive: true, force: true }));

/**
 * Rotating the audit signing key needs two superadmins (issue 8): the console
 * freezes a request, a second superadmin approves it, and only then does the
 * rotation accept the approval id — once, within 24 hours.
 */
describe.each(testProviders())('two-person signing-key rotation on %s', (provider) => {
  let h: ActionHarness;
  let a: Caller;
  let b: Caller;

  beforeAll(async () => {
    h = await ActionHarness.create(provider, 'keyrot');
    const key = loadSigningKey()!;
    savePublicKeys(
      {
        format: 'warden.public-keys.v1',
        keys: [{ keyId: key.keyId, publicKey: key.publicKey, validFrom: '2020-01-01T00:00:00.000Z', validUntil: null }],
      },
      KEYS.publicKeysFile,
    );
    a = await h.caller('superadmin');
    b = await h.caller('superadmin');
  });
  afterAll(async () => {
    await h?.cleanup();
  });

  async function request(caller: Caller) {
    const input = { reason: REASON };
    const proof = await h.stepUpProof(caller, 'audit.authorize_key_rotation', input);
    const { result } = await h.call(caller, authorizeKeyRotationAction, input, { stepUpProof: proof });
    expect(result).toMatchObject({ ok: false, code: 'APPROVAL_REQUIRED', approval: { id: expect.any(String) } });
    return (result as { approval: { id: string } }).approval.id;
  }

  it('an admin or auditor cannot even ask; a superadmin asks and cannot approve it alone', async () => {
    for (const role of ['admin', 'auditor'] as const) {
      const caller = await h.caller(role);
      const { result } = await h.call(caller, authorizeKeyRotationAction, { reason: REASON });
      expect(result).toMatchObject({ ok: false, code: 'FORBIDDEN' });
    }
    const id = await request(a);
    const row = await h.db.approvalRequest.findUniqueOrThrow({ where: { id } });
    expect(row).toMatchObject({
      status: 'pending',
      requesterId: a.user!.id,
      operation: 'audit.authorize_key_rotation',
      targetType: 'AuditSigningKey',
    });
    const proof = await h.stepUpProof(a, 'approval.approve', { id, digest: row.digest });
    const own = await h.call(a, approveRequestAction, { id, digest: row.digest }, { stepUpProof: proof });
    // The requester may read their request, never approve it.
    expect(own.result).toMatchObject({ ok: false, code: 'FORBIDDEN' });
    expect((await h.db.approvalRequest.findUniqueOrThrow({ where: { id } })).status).toBe('pending');
    // Without an executed approval the rotation refuses, and nothing changes.
    const before = loadPublicKeys(KEYS.publicKeysFile);
    await expect(rotateSigningKey(h.db, { approvalId: id, out: path.join(KEYS.dir, `k-${id}.pem`) })).rejects.toThrow(
      /not an approved, unused/,
    );
    expect(loadPublicKeys(KEYS.publicKeysFile)).toEqual(before);
  });

  it('approved by a second superadmin, the rotation uses the approval once and records it', async () => {
    // Fresh people: each authenticator code is accepted once.
    a = await h.caller('superadmin');
    const id = await request(b);
    const row = await h.db.approvalRequest.findUniqueOrThrow({ where: { id } });
    const proof = await h.stepUpProof(a, 'approval.approve', { id, digest: row.digest });
    const approved = await h.call(a, approveRequestAction, { id, digest: row.digest }, { stepUpProof: proof });
    expect(approved.result).toEqual({ ok: true, data: { status: 'executed' } });
    const executed = await h.db.approvalRequest.findUniqueOrThrow({ where: { id } });
    expect(executed).toMatchObject({ status: 'executed', approverId: a.user!.id, consumedAt: null });
    const authorization = await h.db.auditEvent.findFirstOrThrow({ where: { seq: executed.executionSeq! } });
    expect(authorization).toMatchObject({ operation: 'audit.authorize_key_rotation', actorId: b.user!.id, outcome: 'success' });
    expect(JSON.parse(authorization.details).approval).toMatchObject({ id, approverId: a.user!.id });

    const out = path.join(KEYS.dir, `next-${id}.pem`);
    const rotation = await rotateSigningKey(h.db, { approvalId: id, out });
    const event = await h.db.auditEvent.findFirstOrThrow({ where: { operation: 'audit.key_rotate' }, orderBy: { seq: 'desc' } });
    expect(JSON.parse(event.details)).toEqual({
      oldKeyId: rotation.oldKeyId,
      newKeyId: rotation.newKeyId,
      approval: { id, requesterId: b.user!.id, approverId: a.user!.id },
    });
    expect((await h.db.approvalRequest.findUniqueOrThrow({ where: { id } })).consumedAt).toBeInstanceOf(Date);
    // The same approval cannot rotate twice.
    await expect(
      rotateSigningKey(h.db, { approvalId: id, current: loadSigningKey({ file: out }), out: path.join(KEYS.dir, `again-${id}.pem`) }),
    ).rejects.toThrow(/not an approved, unused/);
    expect((await verifyChain(h.db)).ok).toBe(true);
    // The configured key is now closed; later cells of this file re-open a fresh one.
    fs.copyFileSync(out, KEYS.file);
  });
});

describe('the audit:keys command line', () => {
  it('refuses to rotate without a two-person approval id', async () => {
    const run = promisify(execFile);
    const error = await run('npx', ['tsx', '--conditions=react-server', 'scripts/audit-keys.ts', 'rotate'], {
      cwd: path.resolve(__dirname, '../..'),
      env: { ...process.env, DATABASE_URL: 'file:./var/none.db' },
    }).catch((e: { code: number; stderr: string }) => e);
    expect(error).toMatchObject({ code: 2, stderr: expect.stringMatching(/two-person authorization.*--approval/) });
  });
});
