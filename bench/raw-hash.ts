/**
 * The raw limit of verifying the audit trail: every AuditEvent row read the
 * cheapest way the driver offers, in seq order, and chained with plain SHA-256
 * (hash_n = SHA-256(hash_{n-1} ‖ every stored column as text, NUL-separated)).
 * No Prisma, no Date objects, no canonical JSON, no comparison with the stored
 * hash: what is left is reading the same bytes and hashing them once, which is
 * the floor under any verifier of this chain. Compared with verifyChain /
 * audit:verify in the same run (bench/suite.ts, bench/audit-verify.ts).
 *
 * SQLite: better-sqlite3, one prepared statement iterated in raw (array) mode.
 * PostgreSQL: pg, keyset pages of 10,000 rows in array mode (ts as text), the
 * next page fetched while the current one is hashed (as verifyChain does).
 */
import { createHash } from 'node:crypto';
import Database from 'better-sqlite3';
import pg from 'pg';
import { AUDIT_EVENT_CSV_COLUMNS } from '../lib/audit/csv';

const GENESIS = '0'.repeat(64);
const SEP = Buffer.from([0]);

export interface RawHashResult {
  events: number;
  ms: number;
  eventsPerSecond: number;
  head: string;
}

function chainRow(prev: string, row: readonly unknown[]): string {
  const h = createHash('sha256');
  h.update(prev);
  for (const value of row) {
    h.update(SEP);
    if (value !== null) h.update(String(value));
  }
  return h.digest('hex');
}

export async function rawReadAndHash(url: string): Promise<RawHashResult> {
  const started = performance.now();
  let prev = GENESIS;
  let events = 0;
  if (url.startsWith('file:')) {
    const raw = new Database(url.slice('file:'.length), { readonly: true });
    try {
      const cols = AUDIT_EVENT_CSV_COLUMNS.map((c) => `"${c}"`).join(',');
      const rows = raw.prepare(`SELECT ${cols} FROM "AuditEvent" ORDER BY "seq"`).raw(true);
      for (const row of rows.iterate() as Iterable<unknown[]>) {
        prev = chainRow(prev, row);
        events += 1;
      }
    } finally {
      raw.close();
    }
  } else {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      const cols = AUDIT_EVENT_CSV_COLUMNS.map((c) => (c === 'ts' ? `"ts"::text` : `"${c}"`)).join(',');
      const page = (after: number) =>
        client.query<unknown[]>({
          text: `SELECT ${cols} FROM "AuditEvent" WHERE "seq" > $1 ORDER BY "seq" LIMIT 10000`,
          values: [after],
          rowMode: 'array',
        });
      let pending = page(0);
      for (;;) {
        const { rows } = await pending;
        if (rows.length === 0) break;
        const last = Number(rows[rows.length - 1]![0]);
        if (rows.length === 10000) pending = page(last);
        for (const row of rows) {
          prev = chainRow(prev, row);
          events += 1;
        }
        if (rows.length < 10000) break;
      }
    } finally {
      await client.end();
    }
  }
  const ms = performance.now() - started;
  return { events, ms: Math.round(ms), eventsPerSecond: Math.round(events / (ms / 1000)), head: prev };
}
