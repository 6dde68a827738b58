import { generateKeyPairSync, randomUUID, sign } from 'node:crypto';
import { NextRequest } from 'next/server';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { POST as postCosignature } from '@/app/api/audit/cosignatures/route';
import { appendAuditEvent } from '@/lib/audit/append';
import { CHECKPOINT_FORMAT, rawPublicKey, signCheckpoint } from '@/lib/audit/checkpoint-format';
import { generateKeyPair, loadSigningKey } from '@/lib/audit/signing-keys';
import { COSIGNATURE_FORMAT, cosignatureMessage, witnessKeyIdOf } from '@/lib/audit/witness-format';
import { env } from '@/lib/env';
import { evaluateAnomalies } from '@/lib/monitoring/evaluate';
import { WITNESS_OVERDUE_MINUTES } from '@/lib/monitoring/rules';
import { ActionHarness } from '../helpers/action-harness';
import { runInRequestScope } from '../helpers/request-scope';
import { testProviders } from '../helpers/test-db';

/**
 * The witness alerts through the real scheduled evaluation (lib/monitoring/evaluate.ts):
 * `audit.witness_overdue` while a registered witness has not cosigned a checkpoint for
 * longer than WITNESS_OVERDUE_MINUTES (and not once it has), `audit.witness_fork` when
 * a registered witness's valid signature names another digest than the stored one.
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

describe.each(testProviders())('witness alerts (%s)', (provider) => {
  let h: ActionHarness;
  const past = new Date(Date.now() - (WITNESS_OVERDUE_MINUTES + 30) * 60_000);
  const witness = generateKeyPairSync('ed25519');
  const publicKey = rawPublicKey(witness.publicKey).toString('base64url');
  const keyId = witnessKeyIdOf(rawPublicKey(witness.publicKey));
  let checkpoint: { seq: number; digest: string };

  beforeAll(async () => {
    h = await ActionHarness.create(provider, 'witness-alerts');
    await h.db.$transaction((tx) =>
      appendAuditEvent(tx, {
        actor: null,
        ip: null,
        userAgent: null,
        correlationId: randomUUID(),
        operation: 'system.seed',
        target: null,
        outcome: 'success',
        details: {},
        policyVersion: 'test',
      }),
    );
    const head = (await h.db.auditEvent.findFirst({ orderBy: { seq: 'desc' } }))!;
    const key = loadSigningKey({ pem: generateKeyPair().privatePem })!;
    const stored = signCheckpoint(
      { format: CHECKPOINT_FORMAT, seq: head.seq, headHash: head.hash, ts: past.toISOString(), keyId: key.keyId, prev: null },
      key.privateKey,
    );
    await h.db.auditCheckpoint.create({
      data: {
        seq: stored.seq,
        headHash: stored.headHash,
        ts: past,
        keyId: stored.keyId,
        prev: null,
        digest: stored.digest,
        signature: stored.signature,
      },
    });
    checkpoint = { seq: stored.seq, digest: stored.digest };
    // Monitoring has been running since before the checkpoint; the witness key was registered before it too.
    await h.db.monitorState.create({
      data: { id: 'anomaly', throughSeq: head.seq, updatedAt: past, startedAt: new Date(past.getTime() - 60_000) },
    });
    await h.db.witnessKey.create({
      data: { id: keyId, publicKey, name: 'Alert test witness', registeredById: 'usr_auditor', registeredAt: past },
    });
  }, 60_000);
  afterAll(async () => {
    await h?.cleanup();
  });

  const openAlerts = (rule: string) => h.db.alert.findMany({ where: { rule, status: { in: ['open', 'acknowledged'] } } });
  const post = (body: unknown) => {
    const scope = h.scope(h.anonymous(), randomUUID(), { 'content-type': 'application/json' });
    return runInRequestScope(scope, () =>
      postCosignature(
        new NextRequest(`${new URL(env().APP_URL).origin}/api/audit/cosignatures`, {
          method: 'POST',
          headers: scope.headers,
          body: JSON.stringify(body),
        }),
      ),
    );
  };
  const cosign = (seq: number, digest: string) => {
    const ts = new Date().toISOString();
    return {
      format: COSIGNATURE_FORMAT,
      seq,
      digest,
      witnessKeyId: keyId,
      ts,
      signature: sign(null, cosignatureMessage({ digest, seq, ts }), witness.privateKey).toString('base64url'),
    };
  };

  it('raises audit.witness_overdue while the checkpoint waits, and no second one once it is cosigned', async () => {
    await evaluateAnomalies();
    const [alert] = await openAlerts('audit.witness_overdue');
    expect(alert).toMatchObject({ severity: 'high', dedupeKey: 'witness' });
    expect(alert!.summary).toMatch(
      new RegExp(
        `^Checkpoint seq ${checkpoint.seq} has waited \\d+ min for a witness cosignature \\(limit ${WITNESS_OVERDUE_MINUTES} min\\)\\.$`,
      ),
    );

    expect((await post(cosign(checkpoint.seq, checkpoint.digest))).status).toBe(201);
    await h.db.alert.updateMany({ where: { rule: 'audit.witness_overdue' }, data: { status: 'resolved' } });
    await evaluateAnomalies();
    expect(await openAlerts('audit.witness_overdue')).toEqual([]);
  });

  it('raises the critical audit.witness_fork for a fork claim', async () => {
    expect((await post(cosign(checkpoint.seq, 'e'.repeat(64)))).status).toBe(409);
    await evaluateAnomalies();
    const [alert] = await openAlerts('audit.witness_fork');
    expect(alert).toMatchObject({ severity: 'critical', dedupeKey: `fork:${checkpoint.seq}` });
    expect(alert!.summary).toBe(`Witness ${keyId} signed another digest for checkpoint seq ${checkpoint.seq} than the one stored.`);
  });
});
