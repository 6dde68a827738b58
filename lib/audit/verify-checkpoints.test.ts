import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { keyIdOf, rawPublicKey, signCheckpoint, type PublicKeyEntry, type StoredCheckpoint } from './checkpoint-format';
import { computeEventHash, GENESIS_HASH, type AuditEventFields } from './hash';
import type { AuditEventRow } from './verify';
import { verifyIntegrity, type CheckpointInput, type VerifyIntegrityInput } from './verify-checkpoints';

const T0 = Date.UTC(2026, 0, 1);

function event(seq: number, n = seq): AuditEventFields {
  return {
    seq,
    id: `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`,
    ts: new Date(T0 + n * 1000),
    actorId: 'usr_1',
    actorRole: 'admin',
    actorSessionId: null,
    ip: null,
    userAgent: null,
    correlationId: `req-${n}`,
    operation: 'auth.sign_in',
    targetType: null,
    targetId: null,
    outcome: 'success',
    reasonCode: null,
    reason: null,
    details: `{"n":${n}}`,
    policyVersion: 'policies@test',
    decision: null,
  };
}

/** A correctly chained list of rows; `salt` makes a different chain of the same length. */
function buildChain(length: number, edit?: (e: AuditEventFields) => AuditEventFields): AuditEventRow[] {
  const rows: AuditEventRow[] = [];
  let prevHash = GENESIS_HASH;
  for (let seq = 1; seq <= length; seq++) {
    const e = edit ? edit(event(seq)) : event(seq);
    const hash = computeEventHash(prevHash, e);
    rows.push({ ...e, prevHash, hash });
    prevHash = hash;
  }
  return rows;
}

interface Signer {
  privateKey: KeyObject;
  entry: PublicKeyEntry;
}

function newSigner(validFrom = '2025-01-01T00:00:00.000Z', validUntil: string | null = null): Signer {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  return {
    privateKey,
    entry: { keyId: keyIdOf(publicKey), publicKey: rawPublicKey(publicKey).toString('base64url'), validFrom, validUntil },
  };
}

/** Signed checkpoints at the given seqs over `rows`, chained by prev. */
function checkpointsAt(rows: AuditEventRow[], seqs: number[], signer: Signer, prev: string | null = null): StoredCheckpoint[] {
  const out: StoredCheckpoint[] = [];
  for (const seq of seqs) {
    const row = rows[seq - 1]!;
    const cp = signCheckpoint(
      {
        format: 'warden.checkpoint.v1',
        seq,
        headHash: row.hash,
        ts: new Date(T0 + seq * 1000 + 500).toISOString(),
        keyId: signer.entry.keyId,
        prev,
      },
      signer.privateKey,
    );
    out.push(cp);
    prev = cp.digest;
  }
  return out;
}

const inputs = (cps: StoredCheckpoint[]): CheckpointInput[] => cps.map((checkpoint, i) => ({ checkpoint, position: i + 1 }));

async function* pages(rows: AuditEventRow[], size = 7) {
  for (let i = 0; i < rows.length; i += size) yield rows.slice(i, i + size);
}

function run(
  rows: AuditEventRow[],
  db: StoredCheckpoint[],
  ext: StoredCheckpoint[] | null,
  keys: PublicKeyEntry[],
  extra: Partial<VerifyIntegrityInput> = {},
) {
  return verifyIntegrity({
    events: pages(rows),
    databaseCheckpoints: inputs(db),
    externalCheckpoints: ext && inputs(ext),
    publicKeys: keys,
    appendCount: rows.length,
    ...extra,
  });
}

const signer = newSigner();
const chain = buildChain(50);
const cps = checkpointsAt(chain, [10, 20, 30, 40, 50], signer);

describe('verifyIntegrity', () => {
  it('proves an intact chain with matching checkpoints and names what was proven', async () => {
    const report = await run(chain, cps, cps, [signer.entry]);
    expect(report.ok).toBe(true);
    expect(report.findings).toEqual([]);
    expect(report.chain).toMatchObject({ ok: true, count: 50, headSeq: 50, headHash: chain[49]!.hash });
    expect(report.checkpoints).toMatchObject({ database: 5, external: 5, verified: 10, keyIds: [signer.entry.keyId] });
    expect(report.checkpoints.newest).toMatchObject({ seq: 50, keyId: signer.entry.keyId, digest: cps[4]!.digest });
    expect(report.notes).toEqual([]);
  });

  it('notes what cannot be proven without an external log or with events after the newest checkpoint', async () => {
    const report = await run(chain, cps.slice(0, 3), null, [signer.entry]);
    expect(report.ok).toBe(true);
    expect(report.notes.join('\n')).toMatch(/no external checkpoint log/);
    expect(report.notes.join('\n')).toMatch(/events 31–50 are after the newest checkpoint/);
  });

  it('names a modification at the edited seq', async () => {
    const rows = chain.map((r) => (r.seq === 17 ? { ...r, reason: 'edited' } : r));
    const report = await run(rows, cps, cps, [signer.entry]);
    expect(report.findings[0]).toMatchObject({ attackClass: 'modification', firstBadSeq: 17, problem: 'hash_mismatch' });
  });

  it('names a deletion at the missing seq', async () => {
    const report = await run(
      chain.filter((r) => r.seq !== 25),
      cps,
      cps,
      [signer.entry],
    );
    expect(report.findings[0]).toMatchObject({ attackClass: 'deletion', firstBadSeq: 25 });
  });

  it('names a reordering when two rows swapped seq', async () => {
    const rows = chain.map((r) => (r.seq === 12 ? { ...chain[33]!, seq: 12 } : r.seq === 34 ? { ...chain[11]!, seq: 34 } : r));
    const report = await run(rows, cps, cps, [signer.entry]);
    expect(report.findings[0]).toMatchObject({ attackClass: 'reordering', firstBadSeq: 12, problem: 'prev_hash_mismatch' });
  });

  it('names an insertion when a self-consistent foreign event replaces one', async () => {
    const other = buildChain(50, (e) => ({ ...e, correlationId: `other-${e.seq}` }));
    const rows = chain.map((r) => (r.seq === 8 ? other[7]! : r));
    const report = await run(rows, cps, cps, [signer.entry]);
    expect(report.findings[0]).toMatchObject({ attackClass: 'insertion', firstBadSeq: 8 });
  });

  it('names truncation when the database shows it held more events (its own checkpoint)', async () => {
    const report = await run(chain.slice(0, 45), cps, cps, [signer.entry], { appendCount: 45 });
    expect(report.findings[0]).toMatchObject({ attackClass: 'truncation', firstBadSeq: 46, problem: 'checkpoint_beyond_head' });
  });

  it('names truncation from the append counter when the checkpoint rows were removed too', async () => {
    const report = await run(chain.slice(0, 45), cps.slice(0, 4), cps, [signer.entry], { appendCount: 50 });
    expect(report.findings[0]).toMatchObject({ attackClass: 'truncation', firstBadSeq: 46 });
    // Without the external log nothing is wrong: the database is consistent with itself.
    expect((await run(chain.slice(0, 45), cps.slice(0, 4), null, [signer.entry], { appendCount: 50 })).ok).toBe(true);
  });

  it('names rollback when the database is an older, self-consistent state', async () => {
    const report = await run(chain.slice(0, 40), cps.slice(0, 4), cps, [signer.entry], { appendCount: 40 });
    expect(report.findings[0]).toMatchObject({ attackClass: 'rollback', firstBadSeq: 41, checkpoint: { source: 'external', seq: 50 } });
  });

  it('names rollback when an external checkpoint inside the head is missing from the database', async () => {
    const report = await run(chain, cps.slice(0, 2), cps, [signer.entry]);
    expect(report.findings[0]).toMatchObject({ attackClass: 'rollback', problem: 'checkpoint_missing_from_database', firstBadSeq: 30 });
  });

  it('accepts database checkpoints missing from the external log only at its end', async () => {
    expect((await run(chain, cps, cps.slice(0, 3), [signer.entry])).ok).toBe(true);
    const report = await run(chain, cps, [cps[0]!, cps[2]!], [signer.entry]);
    expect(report.findings.map((f) => [f.attackClass, f.problem, f.firstBadSeq])).toContainEqual([
      'rollback',
      'checkpoint_missing_from_external',
      20,
    ]);
  });

  it('names a recomputed chain, from the last matching checkpoint on', async () => {
    const rows = buildChain(50, (e) => (e.seq === 23 ? { ...e, reason: 'rewritten' } : e));
    const report = await run(rows, cps, cps, [signer.entry]);
    expect(report.chain.ok).toBe(true);
    expect(report.findings[0]).toMatchObject({
      attackClass: 'recomputed_chain',
      firstBadSeq: 21,
      problem: 'checkpoint_hash_mismatch',
      checkpoint: { seq: 30 },
    });
  });

  it('names a checkpoint signed with another key forged, under the pinned keys', async () => {
    const intruder = newSigner();
    const fake = checkpointsAt(chain, [45], intruder, cps[3]!.digest);
    const db = [...cps.slice(0, 4), fake[0]!];
    const report = await run(chain, db, cps.slice(0, 4), [signer.entry]);
    expect(report.findings[0]).toMatchObject({
      attackClass: 'forged_checkpoint',
      firstBadSeq: 45,
      problem: 'unknown_key',
      checkpoint: { source: 'database', position: 5 },
    });
    // Trusting the intruder's key too (an unpinned, rewritten public-keys file) hides it: hence --keys.
    expect((await run(chain, db, cps.slice(0, 4), [signer.entry, intruder.entry])).ok).toBe(true);
  });

  it('names an altered checkpoint, a key used outside its validity and a broken prev link forged', async () => {
    const altered = { ...cps[1]!, headHash: chain[0]!.hash };
    expect((await run(chain, [cps[0]!, altered, ...cps.slice(2)], null, [signer.entry])).findings[0]).toMatchObject({
      attackClass: 'forged_checkpoint',
      problem: 'digest_mismatch',
      firstBadSeq: 20,
    });
    const expired = { ...signer.entry, validUntil: new Date(T0 + 25_000).toISOString() };
    expect((await run(chain, cps, null, [expired])).findings[0]).toMatchObject({
      attackClass: 'forged_checkpoint',
      problem: 'key_not_valid',
      firstBadSeq: 30,
    });
    const gap = [cps[0]!, cps[2]!, cps[3]!];
    expect((await run(chain, gap, null, [signer.entry])).findings[0]).toMatchObject({
      attackClass: 'forged_checkpoint',
      problem: 'prev_mismatch',
      firstBadSeq: 30,
    });
  });

  it('names a malformed external log line forged', async () => {
    const report = await verifyIntegrity({
      events: pages(chain),
      databaseCheckpoints: inputs(cps),
      externalCheckpoints: [{ checkpoint: { seq: 10, hello: 'world' }, position: 1 }],
      publicKeys: [signer.entry],
    });
    expect(report.findings[0]).toMatchObject({
      attackClass: 'forged_checkpoint',
      problem: 'malformed',
      checkpoint: { source: 'external', position: 1 },
    });
  });

  it('verifies an empty chain without checkpoints', async () => {
    const report = await run([], [], [], [signer.entry]);
    expect(report).toMatchObject({ ok: true, chain: { ok: true, count: 0, headSeq: 0 }, checkpoints: { verified: 0, newest: null } });
  });
});
