import { describe, expect, it } from 'vitest';
import { computeEventHash, GENESIS_HASH, type AuditEventFields } from './hash';
import { verifyChain, type AuditEventReader } from './verify';

type Row = AuditEventFields & { prevHash: string; hash: string };

/**
 * The chain-walking logic is pure; this in-memory reader implements only the
 * keyset query verifyChain issues (`seq > $1 ORDER BY seq LIMIT $2`, a tagged
 * $queryRaw). Database behaviour itself is covered by
 * tests/integration/audit-chain.int.test.ts on SQLite and PostgreSQL.
 */
function readerOver(rows: Row[], queries: { count: number } = { count: 0 }): AuditEventReader {
  const $queryRaw = async (strings: TemplateStringsArray, ...values: number[]) => {
    queries.count += 1;
    const sql = strings.join('?');
    // The first page has no lower bound; the next ones are keyset pages.
    const keyset = /FROM "AuditEvent" WHERE "seq" > \? ORDER BY "seq" ASC LIMIT \?$/.test(sql);
    expect(keyset || /FROM "AuditEvent" ORDER BY "seq" ASC LIMIT \?$/.test(sql)).toBe(true);
    const [after, take] = keyset ? [values[0]!, values[1]!] : [Number.NEGATIVE_INFINITY, values[0]!];
    return [...rows]
      .sort((a, b) => a.seq - b.seq)
      .filter((r) => r.seq > after)
      .slice(0, take)
      .map((r) => ({ ...r }));
  };
  return { $queryRaw } as unknown as AuditEventReader;
}

function buildChain(length: number): Row[] {
  const rows: Row[] = [];
  let prevHash = GENESIS_HASH;
  for (let seq = 1; seq <= length; seq++) {
    const event: AuditEventFields = {
      seq,
      id: `00000000-0000-4000-8000-${String(seq).padStart(12, '0')}`,
      ts: new Date(Date.UTC(2025, 0, 1, 0, 0, seq)),
      actorId: seq % 2 ? 'usr_1' : null,
      actorRole: seq % 2 ? 'admin' : null,
      actorSessionId: null,
      ip: null,
      userAgent: null,
      correlationId: `req-${seq}`,
      operation: 'auth.sign_in',
      targetType: null,
      targetId: null,
      outcome: 'success',
      reasonCode: null,
      reason: null,
      details: `{"n":${seq}}`,
      policyVersion: 'policies@test',
      decision: null,
    };
    const hash = computeEventHash(prevHash, event);
    rows.push({ ...event, prevHash, hash });
    prevHash = hash;
  }
  return rows;
}

function at(rows: Row[], seq: number): Row {
  const row = rows.find((r) => r.seq === seq);
  if (!row) throw new Error(`fixture has no seq ${seq}`);
  return row;
}

describe('verifyChain', () => {
  it('reports an empty chain as intact at the genesis value', async () => {
    expect(await verifyChain(readerOver([]))).toEqual({ ok: true, count: 0, headSeq: 0, headHash: GENESIS_HASH });
  });

  it.each([1, 2, 3, 5, 1000])('walks every page (page size %i) and reports the head', async (pageSize) => {
    const rows = buildChain(10);
    const result = await verifyChain(readerOver(rows), { pageSize });
    expect(result).toEqual({ ok: true, count: 10, headSeq: 10, headHash: at(rows, 10).hash });
  });

  it('pages by keyset: ceil(n / pageSize) queries, plus one when n is a multiple', async () => {
    const queries = { count: 0 };
    await verifyChain(readerOver(buildChain(10), queries), { pageSize: 4 });
    expect(queries.count).toBe(3);
    queries.count = 0;
    await verifyChain(readerOver(buildChain(8), queries), { pageSize: 4 });
    expect(queries.count).toBe(3);
  });

  it('detects an edited field as hash_mismatch at that seq', async () => {
    const rows = buildChain(6);
    at(rows, 4).reason = 'edited';
    expect(await verifyChain(readerOver(rows), { pageSize: 2 })).toMatchObject({
      ok: false,
      count: 3,
      firstBadSeq: 4,
      problem: 'hash_mismatch',
    });
  });

  it('detects an edit whose row hash was recomputed at the next seq (prev_hash_mismatch)', async () => {
    const rows = buildChain(6);
    const row = at(rows, 4);
    row.reason = 'edited';
    row.hash = computeEventHash(row.prevHash, row);
    expect(await verifyChain(readerOver(rows))).toMatchObject({ firstBadSeq: 5, problem: 'prev_hash_mismatch' });
  });

  it('detects details re-spelled in non-canonical form even though the content hashes the same', async () => {
    const rows = buildChain(3);
    at(rows, 2).details = '{ "n": 2 }';
    const result = await verifyChain(readerOver(rows));
    expect(result).toMatchObject({ firstBadSeq: 2, problem: 'hash_mismatch' });
    expect(result.ok || result.detail).toMatch(/canonical/);
  });

  it('detects details that are not JSON without quoting them', async () => {
    const rows = buildChain(3);
    at(rows, 2).details = '{"n": hunter2';
    const result = await verifyChain(readerOver(rows));
    expect(result).toMatchObject({ firstBadSeq: 2, problem: 'hash_mismatch' });
    expect(JSON.stringify(result)).not.toContain('hunter2');
  });

  it('detects a deleted event as seq_gap naming the missing seq', async () => {
    const rows = buildChain(6).filter((r) => r.seq !== 3);
    const result = await verifyChain(readerOver(rows));
    expect(result).toMatchObject({ ok: false, count: 2, firstBadSeq: 3, problem: 'seq_gap' });
    expect(result.ok || result.detail).toBe('event 3 is missing; the next stored event is 4');
  });

  it('detects a missing start of the chain', async () => {
    const rows = buildChain(6).filter((r) => r.seq > 2);
    expect(await verifyChain(readerOver(rows))).toMatchObject({ count: 0, firstBadSeq: 1, problem: 'seq_gap' });
  });

  it('detects an event numbered below 1', async () => {
    const rows = buildChain(3);
    rows.push({ ...at(rows, 1), seq: 0 });
    expect(await verifyChain(readerOver(rows))).toMatchObject({ firstBadSeq: 0, problem: 'seq_gap' });
  });

  it('detects a first event that does not start from genesis', async () => {
    const rows = buildChain(3);
    at(rows, 1).prevHash = 'a'.repeat(64);
    expect(await verifyChain(readerOver(rows))).toMatchObject({ firstBadSeq: 1, problem: 'bad_genesis' });
  });

  it('detects two events whose seqs were swapped', async () => {
    const rows = buildChain(6);
    at(rows, 2).seq = -1;
    at(rows, 5).seq = 2;
    at(rows, -1).seq = 5;
    expect(await verifyChain(readerOver(rows))).toMatchObject({ count: 1, firstBadSeq: 2, problem: 'prev_hash_mismatch' });
  });

  it('rejects a nonsensical page size', async () => {
    await expect(verifyChain(readerOver([]), { pageSize: 0 })).rejects.toThrow(/pageSize/);
  });
});
