/**
 * Benchmark: verifying a 1,000,000-event audit trail (issue 5, "Verifier ... report
 * events/second for a 1,000,000-event log"). Seeds a fresh SQLite database with
 * correctly chained events (raw inserts of rows hashed with lib/audit/hash.ts — the
 * append path is not what is measured here) and a signed checkpoint every 1000 events
 * in the database and in an external log, then times the streaming verifiers:
 * the chain alone (verifyChain) and the full check (verifyAuditIntegrity: chain,
 * signatures, external log), each next to the raw limit measured in the same run:
 * the same rows read with better-sqlite3 and chained with plain SHA-256
 * (bench/raw-hash.ts; the faster of a run before and one after the verifiers).
 * Writes bench/results/audit-verify.json.
 *
 *   npm run bench:audit-verify                    (var/bench/audit.db, 1,000,000 events)
 *   BENCH_EVENTS=100000 npm run bench:audit-verify
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { rawReadAndHash } from './raw-hash';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const file = path.join(root, 'var/bench/audit.db');
const extDir = path.join(root, 'var/bench/audit-checkpoints');
const EVENTS = Number(process.env.BENCH_EVENTS ?? 1_000_000);
const CHECKPOINT_EVERY = 1000;
process.env.DATABASE_URL = `file:${file}`;
process.env.LOG_LEVEL = 'silent';

async function main() {
  const { migrateDeploy } = await import('../lib/db/migrate');
  const { computeEventHash, GENESIS_HASH } = await import('../lib/audit/hash');
  const { CHECKPOINT_FORMAT, keyIdOf, rawPublicKey, signCheckpoint } = await import('../lib/audit/checkpoint-format');
  const { appendExternalCheckpoints } = await import('../lib/audit/external-log');
  const { generateKeyPair } = await import('../lib/audit/signing-keys');
  const { verifyChain } = await import('../lib/audit/verify');
  const { verifyAuditIntegrity } = await import('../lib/audit/verify-sources');
  const { createDb } = await import('../lib/db/client');

  fs.mkdirSync(path.dirname(file), { recursive: true });
  for (const suffix of ['', '-wal', '-shm']) fs.rmSync(file + suffix, { force: true });
  fs.rmSync(extDir, { recursive: true, force: true });
  await migrateDeploy(`file:${file}`);

  const key = generateKeyPair();
  const publicKeys = [
    {
      keyId: key.keyId,
      publicKey: rawPublicKey(key.publicKey).toString('base64url'),
      validFrom: '2020-01-01T00:00:00.000Z',
      validUntil: null,
    },
  ];
  const seedStarted = performance.now();
  const raw = new Database(file);
  raw.pragma('journal_mode = WAL');
  raw.pragma('synchronous = OFF');
  // Triggers only refuse UPDATE/DELETE; inserts are what the app does too.
  const insertEvent = raw.prepare(
    `INSERT INTO "AuditEvent" ("seq","id","ts","actorId","actorRole","actorSessionId","ip","userAgent","correlationId","operation","targetType","targetId","outcome","reasonCode","reason","details","policyVersion","decision","prevHash","hash")
     VALUES (@seq,@id,@ts,@actorId,@actorRole,@actorSessionId,@ip,@userAgent,@correlationId,@operation,@targetType,@targetId,@outcome,@reasonCode,@reason,@details,@policyVersion,@decision,@prevHash,@hash)`,
  );
  const insertCheckpoint = raw.prepare(
    `INSERT INTO "AuditCheckpoint" ("seq","headHash","ts","keyId","prev","digest","signature") VALUES (@seq,@headHash,@ts,@keyId,@prev,@digest,@signature)`,
  );
  const start = Date.UTC(2026, 0, 1);
  let prevHash = GENESIS_HASH;
  let prevDigest: string | null = null;
  const batch = raw.transaction((from: number, to: number) => {
    const checkpoints = [];
    for (let seq = from; seq <= to; seq++) {
      const ts = new Date(start + seq * 1000);
      const event = {
        seq,
        id: `00000000-0000-4000-8000-${seq.toString(16).padStart(12, '0')}`,
        ts,
        actorId: `usr_${seq % 97}`,
        actorRole: 'admin',
        actorSessionId: `ses_${seq % 31}`,
        ip: '203.0.113.10',
        userAgent: 'Mozilla/5.0 (bench) warden-audit-verify',
        correlationId: `req-${seq}`,
        operation: seq % 5 === 0 ? 'session.revoke' : 'auth.sign_in',
        targetType: 'User',
        targetId: `usr_${seq % 1009}`,
        outcome: seq % 11 === 0 ? 'failure' : 'success',
        reasonCode: seq % 11 === 0 ? 'invalid_credentials' : null,
        reason: null,
        details: `{"after":{"n":${seq},"role":"member"},"before":{"role":"member"}}`,
        policyVersion: 'policies@bench',
        decision: 'rule:bench',
      };
      const hash = computeEventHash(prevHash, event);
      // Stored as the better-sqlite3 adapter stores DateTime (ISO 8601 with +00:00).
      insertEvent.run({ ...event, ts: ts.toISOString().replace('Z', '+00:00'), prevHash, hash });
      prevHash = hash;
      if (seq % CHECKPOINT_EVERY === 0) {
        const cp = signCheckpoint(
          {
            format: CHECKPOINT_FORMAT,
            seq,
            headHash: hash,
            ts: new Date(ts.getTime() + 500).toISOString(),
            keyId: keyIdOf(key.publicKey),
            prev: prevDigest,
          },
          key.privateKey,
        );
        prevDigest = cp.digest;
        insertCheckpoint.run({
          seq,
          headHash: cp.headHash,
          ts: cp.ts.replace('Z', '+00:00'),
          keyId: cp.keyId,
          prev: cp.prev,
          digest: cp.digest,
          signature: cp.signature,
        });
        checkpoints.push(cp);
      }
    }
    return checkpoints;
  });
  for (let from = 1; from <= EVENTS; from += 10_000) {
    appendExternalCheckpoints(extDir, batch(from, Math.min(EVENTS, from + 9999)));
  }
  raw.prepare(`UPDATE "AuditLock" SET "appends" = ? WHERE "id" = 1`).run(EVENTS);
  raw.pragma('wal_checkpoint(TRUNCATE)');
  raw.close();
  const seedMs = performance.now() - seedStarted;

  let peakRss = 0;
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 50);
  const { db } = await createDb({ url: `file:${file}`, poolSize: 2 });
  const timed = async <T>(work: () => Promise<T>) => {
    const t0 = performance.now();
    const result = await work();
    return { result, ms: performance.now() - t0 };
  };
  await verifyChain(db); // warm-up: JIT, page cache, connection
  const raw1 = await rawReadAndHash(`file:${file}`);
  const chain = await timed(() => verifyChain(db));
  const full = await timed(() => verifyAuditIntegrity(db, { externalDir: extDir, publicKeys }));
  const raw2 = await rawReadAndHash(`file:${file}`);
  const rawHash = raw1.ms <= raw2.ms ? raw1 : raw2;
  clearInterval(sampler);
  await db.$disconnect();
  if (!chain.result.ok || chain.result.count !== EVENTS) throw new Error(`chain did not verify: ${JSON.stringify(chain.result)}`);
  if (!full.result.ok) throw new Error(`integrity did not verify: ${JSON.stringify(full.result.findings[0])}`);

  const rate = (ms: number) => Math.round(EVENTS / (ms / 1000));
  const report = {
    benchmark: 'audit-verify',
    date: new Date().toISOString(),
    provider: 'sqlite',
    events: EVENTS,
    checkpoints: {
      database: full.result.checkpoints.database,
      external: full.result.checkpoints.external,
      verified: full.result.checkpoints.verified,
    },
    seedMs: Math.round(seedMs),
    chainOnly: { ms: Math.round(chain.ms), eventsPerSecond: rate(chain.ms) },
    full: { ms: Math.round(full.ms), eventsPerSecond: rate(full.ms) },
    rawReadAndHash: { ms: rawHash.ms, eventsPerSecond: rawHash.eventsPerSecond, runsMs: [raw1.ms, raw2.ms] },
    ratioChainToRaw: Number((rate(chain.ms) / rawHash.eventsPerSecond).toFixed(3)),
    ratioFullToRaw: Number((rate(full.ms) / rawHash.eventsPerSecond).toFixed(3)),
    peakRssMiB: Math.round(peakRss / 1024 / 1024),
    machine: { cpus: os.cpus().length, cpu: os.cpus()[0]?.model, node: process.version },
  };
  fs.mkdirSync(path.join(root, 'bench/results'), { recursive: true });
  const out = path.join(root, 'bench/results/audit-verify.json');
  fs.writeFileSync(out, JSON.stringify(report, null, 2) + '\n');
  console.log(JSON.stringify(report, null, 2));
  console.log(`wrote ${path.relative(root, out)}`);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
