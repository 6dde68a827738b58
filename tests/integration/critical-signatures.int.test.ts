import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { beginStepUpAction } from '@/app/(console)/_actions/begin-step-up';
import { completeStepUpAction } from '@/app/(console)/_actions/complete-step-up';
import { approveRequestAction } from '@/app/(console)/approvals/_actions/approve-request';
import { deleteUserAction } from '@/app/(console)/users/_actions/delete-user';
import { grantPrivilegedRoleAction } from '@/app/(console)/users/_actions/grant-privileged-role';
import { exportAuditBundle } from '@/lib/audit/export';
import { recordAuditWith } from '@/lib/audit/record';
import { invalidateSettings } from '@/lib/config/settings';
import { SIGNED_OPERATION_IDS } from '@/policies/operations';
import { ActionHarness } from '../helpers/action-harness';
import { testProviders } from '../helpers/test-db';

vi.hoisted(() => {
  vi.stubEnv('APP_URL', 'http://localhost:3000');
  vi.stubEnv('WEBAUTHN_RP_ID', undefined);
  vi.stubEnv('AUTH_SECRET', 'warden-integration-tests-secret-0123456789');
  vi.stubEnv('WARDEN_AUDIT_PUBLIC_KEYS_FILE', '/nonexistent/warden-critical-signatures-test/public-keys.json');
  vi.stubEnv('LOG_LEVEL', 'silent');
});
vi.mock('next/headers', () => import('../helpers/request-scope'));
vi.mock('next/cache', () => ({ revalidatePath: () => undefined, revalidateTag: () => undefined }));

const REASON = 'Critical signatures integration test, CHG-1313';

interface Critical {
  total: number;
  signed: number;
  approvedBeforeRange: number;
  unsigned: { seq: number; operation: string }[];
}
interface VerifierApi {
  SIGNED_OPERATIONS: readonly string[];
  verifyBundle(dir: string, opts?: { requireSignatures?: boolean }): Promise<{ ok: true; signatures: { critical: Critical } }>;
  main(argv: string[], out: { write(s: string): void }, err: { write(s: string): void }): Promise<number>;
}
const verifier = (await import(pathToFileURL(path.resolve(__dirname, '../../tools/warden-verify.mjs')).href)) as VerifierApi;
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'warden-critical-signatures-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** The CLI as an auditor runs it: exit code and everything it printed. */
async function runVerifier(argv: string[]) {
  let out = '';
  const sink = { write: (s: string) => void (out += s) };
  const code = await verifier.main(argv, sink, sink);
  return { code, out };
}

it('the verifier’s built-in list of critical operations is the catalog’s (the bundle cannot redefine it)', () => {
  expect([...verifier.SIGNED_OPERATIONS].sort()).toEqual([...SIGNED_OPERATION_IDS].sort());
});

/**
 * Issue 13, "every critical operation was approved by a named person's passkey":
 * the catalog's critical step-up operations run only on a passkey signature over
 * their intent (an authenticator code signs nothing), and the standalone verifier
 * proves from the bundle alone that every one in range is signed, or lists those
 * that are not and, with --require-signatures, refuses the bundle.
 */
describe.each(testProviders())('critical operations are passkey-signed on %s', (provider) => {
  let h: ActionHarness;

  beforeAll(async () => {
    h = await ActionHarness.create(provider, 'critical-signed');
  });
  afterAll(async () => {
    await h?.cleanup();
  });
  beforeEach(() => invalidateSettings());

  async function exportAll(name: string) {
    const head = await h.db.auditEvent.findFirstOrThrow({ orderBy: { seq: 'desc' }, select: { seq: true } });
    const outDir = path.join(tmp, `${provider}-${name}`);
    await exportAuditBundle(h.db, { from: 1, to: head.seq, outDir });
    return outDir;
  }

  async function deletion() {
    const target = await h.caller('support');
    return { target, input: { id: target.user!.id, reason: REASON, confirmEmail: target.user!.email } };
  }

  it('T23 someone with only an authenticator app is told to add a passkey; a code cannot confirm a critical operation; nothing changes', async () => {
    const admin = await h.caller('admin');
    const { target, input } = await deletion();
    const bound = { id: input.id, reason: input.reason, confirmEmail: input.confirmEmail };

    const begin = await h.call(admin, beginStepUpAction, { operation: 'user.delete', input: bound });
    expect(begin.result).toMatchObject({ ok: false, code: 'CONFLICT', message: expect.stringContaining('must be signed with a passkey') });
    expect(await h.db.authChallenge.count({ where: { userId: admin.user!.id } })).toBe(0);

    // A pending code record obtained for a high-risk operation does not confirm a critical one.
    const other = await h.caller('support');
    const high = await h.call(admin, beginStepUpAction, { operation: 'user.suspend', input: { id: other.user!.id, reason: REASON } });
    expect(high.result).toMatchObject({ ok: true, data: { method: 'totp' } });
    const challengeId = (high.result as { data: { challengeId: string } }).data.challengeId;
    const complete = await h.call(admin, completeStepUpAction, {
      operation: 'user.delete',
      input: bound,
      evidence: { method: 'totp', challengeId, code: '123456' },
    });
    expect(complete.result).toMatchObject({ ok: false, code: 'STEP_UP_REQUIRED', message: expect.stringContaining('passkey') });
    expect(await h.db.stepUpProof.count({ where: { userId: admin.user!.id } })).toBe(0);
    const [refusal] = (await h.eventsOf(complete.correlationId)).filter((e) => e.operation === 'auth.step_up');
    expect(refusal).toMatchObject({ outcome: 'failure', reasonCode: 'passkey_required', actorId: admin.user!.id });

    const before = await h.userState(target.user!.id);
    const call = await h.call(admin, deleteUserAction, input);
    expect(call.result).toMatchObject({ ok: false, code: 'STEP_UP_REQUIRED', message: expect.stringContaining('passkey') });
    expect(await h.userState(target.user!.id)).toEqual(before);
  });

  it('T23 with a passkey the deletion runs and is signed; the verifier proves every critical operation in range is signed', async () => {
    const admin = await h.caller('admin');
    const { target, input } = await deletion();
    const proof = await h.stepUpProof(admin, 'user.delete', input);
    const done = await h.call(admin, deleteUserAction, input, { stepUpProof: proof });
    expect(done.result.ok).toBe(true);
    const [event] = (await h.eventsOf(done.correlationId)).filter((e) => e.operation === 'user.delete');
    expect(event).toMatchObject({ outcome: 'success', targetId: target.user!.id });
    expect(JSON.parse(event!.details)).toMatchObject({ stepUp: true, stepUpMethod: 'passkey', signature: { intent: expect.any(String) } });

    const dir = await exportAll('signed');
    const verified = await verifier.verifyBundle(dir, { requireSignatures: true });
    expect(verified.signatures.critical).toEqual({ total: 1, signed: 1, approvedBeforeRange: 0, unsigned: [] });
    const cli = await runVerifier([dir, '--require-signatures']);
    expect(cli.code).toBe(0);
    expect(cli.out).toContain("PROVEN  every critical operation in range is signed by a named person's passkey: 1 of 1");
  });

  it('a two-person critical change counts as signed where it was asked for, approved and run', async () => {
    const requester = await h.caller('superadmin');
    const approver = await h.caller('superadmin');
    const beneficiary = await h.caller('admin');
    const input = { id: beneficiary.user!.id, role: 'superadmin', reason: REASON };
    const asked = await h.call(requester, grantPrivilegedRoleAction, input, {
      stepUpProof: await h.stepUpProof(requester, 'user.role_grant_privileged', input),
    });
    expect(asked.result).toMatchObject({ ok: false, code: 'APPROVAL_REQUIRED' });
    const approvalId = (asked.result as unknown as { approval: { id: string } }).approval.id;
    const { digest } = await h.db.approvalRequest.findUniqueOrThrow({ where: { id: approvalId } });
    const decision = { id: approvalId, digest };
    const approved = await h.call(approver, approveRequestAction, decision, {
      stepUpProof: await h.stepUpProof(approver, 'approval.approve', decision),
    });
    expect(approved.result.ok).toBe(true);

    const dir = await exportAll('two-person');
    const { critical } = (await verifier.verifyBundle(dir, { requireSignatures: true })).signatures;
    // The deletion above, then the request, the approval and the run.
    expect(critical).toEqual({ total: 4, signed: 4, approvedBeforeRange: 0, unsigned: [] });
  });

  it('T23 a critical event without a signature is listed by seq; --require-signatures refuses the bundle as unsigned_critical', async () => {
    // What a version before signed intents recorded, or what someone able to write the trail
    // (and to re-sign checkpoints) could append: a complete, well-chained event with no signature.
    const admin = await h.caller('admin');
    const victim = await h.caller('support');
    const forged = await h.db.$transaction((tx) =>
      recordAuditWith(
        tx,
        {
          actor: { id: admin.user!.id, role: 'admin', sessionId: admin.sessionId },
          operation: 'user.delete',
          target: { type: 'User', id: victim.user!.id },
          outcome: 'success',
          reason: REASON,
          details: { stepUp: true, stepUpMethod: 'otp' },
          decision: 'admin.manage_users',
        },
        { correlationId: 'critical-unsigned', ip: '203.0.113.9', userAgent: 'vitest' },
      ),
    );

    const dir = await exportAll('unsigned');
    const verified = await verifier.verifyBundle(dir);
    expect(verified.signatures.critical).toMatchObject({ total: 5, signed: 4, unsigned: [{ seq: forged.seq, operation: 'user.delete' }] });
    const lenient = await runVerifier([dir]);
    expect(lenient.code).toBe(0);
    expect(lenient.out).toContain(`WARNING seq ${forged.seq} user.delete: no valid passkey signature`);
    expect(lenient.out).not.toContain('every critical operation in range is signed');

    const strict = await runVerifier([dir, '--require-signatures']);
    expect(strict.code).toBe(1);
    expect(strict.out).toContain(`FAILED  unsigned_critical at seq ${forged.seq}`);
    expect(strict.out).toContain('RESULT  NOT VERIFIED');
    const json = await runVerifier([dir, '--require-signatures', '--json']);
    expect(JSON.parse(json.out)).toMatchObject({ ok: false, class: 'unsigned_critical', seq: forged.seq });
  });
});
