/**
 * bench/RESULTS.md, generated from the JSON reports in bench/results: the suite
 * (bench/suite.ts, `npm run bench`) first, with every target of issue 12 next to
 * its measurement, then the earlier per-feature benchmarks.
 *
 *   npm run bench:results      (only regenerate bench/RESULTS.md)
 */
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { LoadPoint, Stats } from './suite';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');

interface Timing {
  case: string;
  viewer: string;
  rows?: number;
  p50Ms?: number;
  p95Ms?: number;
  maxMs?: number;
  error?: string;
}

type Json = Record<string, unknown>;

/** Text for a Markdown table cell: pipes escaped, newlines flattened. */
const cell = (text: string) => text.replaceAll('|', '\\|').replaceAll('\n', ' ');

/**
 * Regenerates bench/RESULTS.md from every bench/results/*.json (or writes `out`
 * from the reports in `dir`: the smoke run's summary in its temp directory).
 */
export function writeResultsMarkdown(dir = path.join(root, 'bench/results'), out = path.join(root, 'bench/RESULTS.md')) {
  const reports = fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => ({ file: f, data: JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8')) as Json }));
  const machine = (r: Json) => {
    const m = r.machine as { cpus?: number; cpu?: string; node?: string } | undefined;
    return `${m?.cpus ?? '?'} cores (${m?.cpu ?? '?'}), Node ${m?.node ?? '?'}`;
  };
  const lines: string[] = [
    '# Benchmark results',
    '',
    'Generated from `bench/results/*.json` by `npm run bench` (after its run), by `npm run bench:audit-browser`, or alone by',
    '`npm run bench:results` after rerunning one benchmark. Times are wall-clock milliseconds on the machine named in each',
    'section; p95 and max are sensitive to whatever else runs on that machine at the time.',
    '',
    ...suiteSections(reports),
    '## Earlier benchmarks (real DAL functions, in process)',
    '',
  ];
  for (const { file, data: r } of reports.filter((x) => x.data.benchmark === 'audit-browser')) {
    const d = r.dataset as Json;
    const seed = r.seed as Json;
    const rollups = r.rollups as Json;
    lines.push(
      `### Audit browser, event detail, dashboards (${String(r.provider)})`,
      '',
      `- Source: \`bench/results/${file}\`, \`npm run bench:audit-browser\``,
      `- Date: ${String(r.date)}; machine: ${machine(r)}`,
      `- Dataset: ${Number(d.events).toLocaleString('en')} events over ${String(d.days)} days (${String(d.generator)}), ${String(d.staff)} staff, ${Number(d.members).toLocaleString('en')} members`,
      seed.reused && seed.eventsMs === undefined
        ? '- Seeding: reused an existing database of this size'
        : `- Seeding (bulk path, hashes chained): users ${String(seed.usersMs)} ms, events ${String(seed.eventsMs)} ms (${Number(seed.eventsPerSecond).toLocaleString('en')}/s${seed.indexBuildMs !== undefined ? `, of which rebuilding the indexes ${String(seed.indexBuildMs)} ms` : ''})${seed.reused ? `, measured on ${String(seed.measuredOn)} when this database was built` : ''}${seed.chainVerifiedMs !== undefined ? `; the seeded chain verified (verifyChain) in ${String(seed.chainVerifiedMs)} ms` : ''}`,
      `- Rollups (\`refreshAuditRollups\` from empty): ${String(rollups.ms)} ms for ${Number(rollups.counted).toLocaleString('en')} events (${Number(rollups.eventsPerSecond).toLocaleString('en')}/s)`,
      `- Each case: ${String(r.warmups)} warm-ups, then ${String(r.runsPerCase)} timed runs`,
      '',
      '| case | viewer | rows | p50 ms | p95 ms | max ms |',
      '|---|---|---:|---:|---:|---:|',
      ...(r.results as Timing[]).map((t) =>
        t.error
          ? `| ${cell(t.case)} | ${t.viewer} | | **failed:** ${cell(t.error)} | | |`
          : `| ${cell(t.case)} | ${t.viewer} | ${t.rows ?? ''} | ${t.p50Ms} | ${t.p95Ms} | ${t.maxMs} |`,
      ),
      '',
    );
    const slow = r.slow as string[];
    const failed = (r.failed as string[] | undefined) ?? [];
    lines.push(
      slow.length ? `First pages slower than 100 ms at p95: ${slow.join('; ')}.` : 'Every timed first page is under 100 ms at p95.',
      '',
    );
    if (failed.length) lines.push(`Failed cases: ${failed.join('; ')}`, '');
    const plans = (r.queryPlans as { case: string; sql: string; plan: string[] }[] | undefined) ?? [];
    if (plans.length) {
      lines.push('Query plans (SQLite `EXPLAIN QUERY PLAN` of the first-page SQL):', '');
      for (const p of plans) lines.push(`- ${p.case}: \`${p.plan.join(' → ')}\``);
      lines.push('');
    }
  }
  for (const { file, data: r } of reports.filter((x) => x.data.benchmark === 'audit-verify')) {
    const cps = r.checkpoints as Json;
    const chain = r.chainOnly as Json;
    const full = r.full as Json;
    lines.push(
      `### Audit trail verification (${String(r.provider)})`,
      '',
      `- Source: \`bench/results/${file}\`, \`npm run bench:audit-verify\``,
      `- Date: ${String(r.date)}; machine: ${machine(r)}`,
      `- Dataset: ${Number(r.events).toLocaleString('en')} events, ${String(cps.database)} signed checkpoints in the database and ${String(cps.external)} in the external log; seeding ${String(r.seedMs)} ms`,
      '',
      '| check | ms | events/s |',
      '|---|---:|---:|',
      `| chain only (verifyChain) | ${String(chain.ms)} | ${Number(chain.eventsPerSecond).toLocaleString('en')} |`,
      `| full (chain, signatures, external log) | ${String(full.ms)} | ${Number(full.eventsPerSecond).toLocaleString('en')} |`,
      ...(r.rawReadAndHash
        ? [
            `| raw read-and-hash, same rows (limit, bench/raw-hash.ts) | ${String((r.rawReadAndHash as Json).ms)} | ${Number((r.rawReadAndHash as Json).eventsPerSecond).toLocaleString('en')} |`,
            '',
            `Ratio to the raw limit: chain only ${String(r.ratioChainToRaw)}×, full ${String(r.ratioFullToRaw)}× (target ≥ 0.7×; and ≥ 50,000 events/s).`,
          ]
        : []),
      '',
      `Peak RSS: ${String(r.peakRssMiB)} MiB.`,
      '',
    );
  }
  for (const { file, data: r } of reports.filter((x) => x.data.benchmark === 'users-list')) {
    lines.push(
      `### Users list (${String(r.provider)}, ${String(r.variant)})`,
      '',
      `- Source: \`bench/results/${file}\`, \`npm run bench:users\``,
      `- Date: ${String(r.date)}; machine: ${machine(r)}`,
      `- Dataset: ${Number(r.users).toLocaleString('en')} users; ${String(r.runsPerCase)} runs per case after one warm-up; seeding ${String(r.seedMs)} ms`,
      '',
      '| case | total | median ms | p95 ms |',
      '|---|---:|---:|---:|',
      ...(r.results as { case: string; total: number; medianMs: number; p95Ms: number }[]).map(
        (t) => `| ${t.case} | ${t.total.toLocaleString('en')} | ${t.medianMs} | ${t.p95Ms} |`,
      ),
      '',
    );
  }
  fs.writeFileSync(out, lines.join('\n'));
}

const n = (x: unknown) => (typeof x === 'number' ? x.toLocaleString('en') : String(x));

/** The suite's sections: method, commands, targets, then each measurement (one per provider). */
function suiteSections(reports: { file: string; data: Json }[]): string[] {
  const suites = reports.filter((x) => x.data.benchmark === 'suite');
  const lines: string[] = ['## Issue 12 suite: targets', ''];
  if (suites.length === 0) {
    lines.push('No suite results yet: run `npm run bench`.', '');
    return lines;
  }
  const providers = suites.map((s) => String(s.data.provider));
  if (!providers.includes('postgres')) {
    lines.push('**PostgreSQL was skipped** in the last run: neither BENCH_PG_URL nor TEST_PG_URL was set.', '');
  }
  lines.push('| provider | what | measured | target | met |', '|---|---|---:|---|---|');
  for (const { data: r } of suites) {
    for (const t of (r.targets as { what: string; value: string; target: string; met: boolean | null }[]) ?? []) {
      lines.push(
        `| ${String(r.provider)} | ${cell(t.what)} | ${t.value} | ${t.target} | ${t.met === null ? '—' : t.met ? 'met' : '**missed**'} |`,
      );
    }
  }
  lines.push('', 'The dashboards are also timed per case and per viewer by the audit-browser bench below (`auditDashboard`).', '');
  lines.push(
    '## Method',
    '',
    '- **Seeding** (bulk path): users with `createMany` in batches of 5,000; the audit trail from `lib/audit/synthetic`, each row built and',
    '  chained exactly as `appendAuditEvent` builds it (`bench/trail-seed.ts`), inserted raw with the secondary indexes rebuilt afterwards;',
    '  then the dashboard rollups. The seeded chain is verified in the same run (`verifyChain`, below).',
    '- **HTTP** (`autocannon`, from npm, in the bench process): the production build (`next build` into `.next-bench`, no test hooks) served by',
    '  `node server.mjs` with NODE_ENV=production on 127.0.0.1. The client is a superadmin signed in through a real `Session` row',
    '  (`createSessionRow`, amr pwd+otp, TOTP enrolled) and the session cookie next-auth itself encodes: the server runs `getViewer`',
    '  (session, idle/absolute limits, role state, second factor) on every request. Each point runs for the stated seconds after an',
    '  unrecorded 2 s warm-up; latency percentiles are over every response. A response counts as ok only if it is 2xx **and** contains the',
    "  page's table caption (`mismatches` otherwise); non-2xx and errors are listed. `/audit` records an audit event per view (the audit",
    '  of the auditors), so every request there is also an audited write.',
    '- **Audited mutation over HTTP**: `commentOnTicketAction` (operation ticket.comment, no step-up, repeatable) POSTed to the ticket page',
    "  as the browser posts it: `Next-Action` = the id from the build's server-reference manifest, the argument list encoded as React's",
    '  `encodeReply` encodes plain JSON, same Origin. A call counts as ok only if the response carries `"ok":true`.',
    '- **Guarded ÷ unguarded** (in process, same database, same run, interleaved blocks of 25 calls): (i) the real server action through',
    '  `defineAction` in a request scope (`tests/helpers/request-scope`: the session cookie, Origin, peer, correlation id) — same-origin',
    '  check, zod parse, `getViewer`, ability on the loaded ticket, audit lock, the writes, `appendAuditEvent`, all in one transaction;',
    '  (ii) the same two writes (comment insert, ticket activity update) in one Prisma interactive transaction with no guard and no audit.',
    "  The ratio is of the p50 latencies (the mean ratio is in the JSON). The HTTP numbers add Next.js's request handling and the page",
    '  re-render that `revalidatePath` causes; there is deliberately no unguarded HTTP endpoint to compare them with.',
    '- **Audit append ÷ raw**: `db.$transaction((tx) => appendAuditEvent(tx, event))` per event, sequentially and with 8 concurrent writers,',
    '  next to raw driver inserts of equivalent rows (same columns, chained hashes computed before the clock starts), one transaction per',
    '  event: better-sqlite3 `BEGIN IMMEDIATE; INSERT; COMMIT` (WAL, synchronous=NORMAL as the app) or pg `BEGIN; INSERT; COMMIT` on one',
    '  pooled connection per writer. SQLite has one writer and better-sqlite3 is synchronous, so its "8 writers" raw run is the same loop.',
    '- **Verify ÷ raw read-and-hash**: `verifyChain` (the chain walk `npm run audit:verify` does first; `bench/audit-verify.ts` also times the',
    '  full check with signatures) next to `bench/raw-hash.ts`: the same rows read the cheapest way (better-sqlite3 raw iterate; pg keyset',
    '  pages in array mode) and chained with plain SHA-256 over the stored columns. Raw runs before and after; the faster one is the limit.',
    '- **Dashboards**: `auditDashboard` (rollups plus the tail above their watermark) for 24 h, 7 d, 30 d and 90 d, as the superadmin.',
    '- **RSS**: VmRSS of the server process from /proc/<pid>/status every 200 ms: idle after start, peak and median ("steady") over all load runs.',
    '',
  );
  for (const { file, data: r } of suites) {
    const v = r.versions as Json;
    const m = r.machine as Json;
    const seed = r.seed as Json;
    const ver = r.verify as Json | undefined;
    const http = r.http as Json | undefined;
    const mut = r.mutation as Json | undefined;
    const app = r.append as Json | undefined;
    lines.push(
      `## Issue 12 suite (${String(r.provider)})`,
      '',
      `- Source: \`bench/results/${file}\`; command: \`${String(r.command)}\` (from \`${String(r.runCommand ?? 'npm run bench')}\`)`,
      `- Date: ${String(r.date)}; machine: ${String(m.cpus)} cores (${String(m.cpu)}), ${String(m.memoryGiB)} GiB, ${String(m.os)}`,
      `- Versions: Node ${String(v.node)}, Next.js ${String(v.next)}, Prisma ${String(v.prisma)}, React ${String(v.react)}, ${String(v.database)}, autocannon ${String(v.autocannon)}`,
      `- Dataset: ${n((r.dataset as Json).users)} users, ${n((r.dataset as Json).events)} seeded audit events`,
      seed.reused
        ? `- Seeding: reused the database seeded ${String(seed.seededAt)} (then: users ${n(seed.usersMs)} ms, events ${n(seed.eventsMs)} ms = ${n(seed.eventsPerSecond)}/s incl. index rebuild ${n(seed.indexBuildMs)} ms, rollups ${n(seed.rollupMs)} ms)`
        : `- Seeding: users ${n(seed.usersMs)} ms; events ${n(seed.eventsMs)} ms (${n(seed.eventsPerSecond)}/s, of which rebuilding the indexes ${n(seed.indexBuildMs)} ms); rollups ${n(seed.rollupMs)} ms`,
      '',
    );
    if (ver) {
      const vc = ver.verifyChain as Json;
      const raw = ver.rawReadAndHash as Json;
      lines.push(
        '| audit verification | events | ms | events/s |',
        '|---|---:|---:|---:|',
        `| verifyChain | ${n(vc.events)} | ${n(vc.ms)} | ${n(vc.eventsPerSecond)} |`,
        `| raw read-and-hash (limit) | ${n(raw.events)} | ${n(raw.ms)} | ${n(raw.eventsPerSecond)} |`,
        `| ratio | | | ${String(ver.ratio)}× |`,
        '',
      );
    }
    if (http?.skipped || http?.failed) {
      lines.push(`HTTP: **${http.skipped ? 'skipped' : 'failed'}**: ${String(http.skipped ?? http.failed)}`, '');
    } else if (http) {
      lines.push(
        `HTTP (${String(http.loadGenerator)}; ${String(http.signedInAs)}):`,
        '',
        '| request | clients | seconds | requests | req/s | p50 ms | p95 ms | p99 ms | max ms | non-2xx | errors | body mismatches | RSS median / max MiB |',
        '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|',
      );
      const row = (label: string, p: LoadPoint) =>
        `| ${label} | ${p.clients} | ${p.seconds} | ${n(p.requests)} | ${p.requestsPerSecond} | ${p.latency.p50Ms} | ${p.latency.p95Ms} | ${p.latency.p99Ms} | ${p.latency.maxMs} | ${p.non2xx} | ${p.errors} | ${p.mismatches} | ${p.rssMiB.median} / ${p.rssMiB.max} |`;
      for (const p of http.pages as LoadPoint[]) lines.push(row(`GET ${p.path}`, p));
      const action = http.action as { name: string; points: LoadPoint[] };
      for (const p of action.points) lines.push(row(`POST ${action.name}`, p));
      const rss = http.rss as Json;
      lines.push(
        '',
        `Server RSS: ${String(rss.idleMiB)} MiB idle after start; under load ${String(rss.steadyMiB)} MiB steady (median), ${String(rss.peakMiB)} MiB peak.`,
        '',
      );
    }
    if (mut) {
      const g = mut.guarded as Json;
      const u = mut.unguarded as Json;
      lines.push(
        `Audited mutation, in process (${String(mut.operation)}):`,
        '',
        '| variant | calls | ops/s | p50 ms | p95 ms | p99 ms |',
        '|---|---:|---:|---:|---:|---:|',
        `| guarded + audited (server action) | ${n(g.n)} | ${String(g.opsPerSecond)} | ${String(g.p50Ms)} | ${String(g.p95Ms)} | ${String(g.p99Ms)} |`,
        `| unguarded (same writes, Prisma) | ${n(u.n)} | ${String(u.opsPerSecond)} | ${String(u.p50Ms)} | ${String(u.p95Ms)} | ${String(u.p99Ms)} |`,
        '',
        `Ratio guarded ÷ unguarded latency: ${String(mut.ratioP50)}× at p50, ${String(mut.ratioMean)}× mean.`,
        '',
      );
    }
    const dash = r.dashboards as { window: string; events: number; p50Ms: number; p95Ms: number; maxMs: number }[] | undefined;
    if (dash) {
      lines.push(
        'Dashboards (`auditDashboard` as the superadmin, in process; 3 warm-ups, 10 runs):',
        '',
        '| window | events | p50 ms | p95 ms | max ms |',
        '|---|---:|---:|---:|---:|',
        ...dash.map((x) => `| ${x.window} | ${n(x.events)} | ${x.p50Ms} | ${x.p95Ms} | ${x.maxMs} |`),
        '',
      );
    }
    if (app) {
      const a = app.append as Record<string, Json>;
      const raw = app.raw as Record<string, Json>;
      const lat = (x: Json) => x.latency as Stats;
      lines.push(
        'Audit append throughput, in process (one transaction per event):',
        '',
        '| path | writers | events | events/s | p50 ms | p95 ms |',
        '|---|---:|---:|---:|---:|---:|',
        ...(['sequential', 'concurrent'] as const).flatMap((k) => [
          `| appendAuditEvent | ${String(a[k]!.writers)} | ${n(a[k]!.events)} | ${n(a[k]!.eventsPerSecond)} | ${lat(a[k]!).p50Ms} | ${lat(a[k]!).p95Ms} |`,
          `| raw inserts (limit) | ${String(raw[k]!.writers)} | ${n(raw[k]!.events)} | ${n(raw[k]!.eventsPerSecond)} | ${lat(raw[k]!).p50Ms} | ${lat(raw[k]!).p95Ms} |`,
        ]),
        '',
        `Raw: ${String(app.rawMethod)}. Ratio append ÷ raw: ${String(app.ratioSequential)}× sequential, ${String(app.ratioConcurrent)}× with 8 writers.`,
        '',
      );
    }
  }
  return lines;
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  writeResultsMarkdown();
  console.log('wrote bench/RESULTS.md');
}
