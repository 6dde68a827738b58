/**
 * `npm run policy:diff` (issue 10): a fixture git repository with two revisions
 * of policies/ — B takes from admins the right to suspend support users and
 * gives auditors the acknowledgement of open alerts — and a real database with
 * audit events appended through lib/audit. The diff lists exactly those gains
 * and losses; the replay lists exactly the in-window event whose decision would
 * change. Once through the exported function (both engines), once through the
 * real CLI with --json (SQLite), and bad arguments exit 2 with a message.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { appendAuditEvent } from '@/lib/audit';
import { POLICY_VERSION } from '@/lib/policy-version';
import { parsePolicyDiffArgs, reportToJson, reportToText, runPolicyDiff, type PolicyDiffReport } from '@/scripts/policy-diff';
import { createTestDb, testProviders, type TestDb } from '../helpers/test-db';

vi.hoisted(() => {
  vi.stubEnv('LOG_LEVEL', 'silent');
});

const APP_ROOT = fileURLToPath(new URL('../..', import.meta.url));
const DAY = 86_400_000;

/** The fixture repo lives under var/ of this checkout, so its policies resolve @casl/* from our node_modules. */
let repo: string;
let revA: string;
let revB: string;

function git(args: string[], cwd = repo): string {
  return execFileSync('git', ['-c', 'user.name=Fixture', '-c', 'user.email=fixture@example.test', '-c', 'commit.gpgsign=false', ...args], {
    cwd,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  }).trim();
}

/** Revision B: two rules added at the end of defineRulesFor (after every grant, so the refusal wins). */
const RULES_B = `
  if (principal.role === 'admin')
    rules.push({ action: 'suspend', subject: 'User', conditions: { role: 'support' }, inverted: true, reason: 'fixture.admin_no_suspend_support' });
  if (principal.role === 'auditor')
    rules.push({ action: 'acknowledge', subject: 'Alert', conditions: { status: 'open' }, reason: 'fixture.auditor_acknowledges' });
  return rules;
}`;

beforeAll(() => {
  repo = path.join(APP_ROOT, 'var', `policy-diff-fixture-${randomBytes(6).toString('hex')}`);
  fs.mkdirSync(path.join(repo, 'policies'), { recursive: true });
  git(['init', '-q', '-b', 'main']);
  // Revision A: policies/ as committed at HEAD of this checkout (not the working tree, which may be mid-edit).
  const files = git(['ls-tree', '-r', '--name-only', 'HEAD', '--', 'policies/'], APP_ROOT).split('\n').filter(Boolean);
  for (const file of files) fs.writeFileSync(path.join(repo, file), execFileSync('git', ['show', `HEAD:${file}`], { cwd: APP_ROOT }));
  git(['add', 'policies']);
  git(['commit', '-q', '-m', 'A']);
  revA = git(['rev-parse', 'HEAD']);
  const rulesFile = path.join(repo, 'policies', 'rules.ts');
  const rules = fs.readFileSync(rulesFile, 'utf8');
  const anchor = '\n  return rules;\n}';
  expect(rules.indexOf(anchor), 'defineRulesFor ends with "return rules;"').toBeGreaterThan(0);
  fs.writeFileSync(rulesFile, rules.replace(anchor, RULES_B));
  git(['commit', '-q', '-am', 'B']);
  revB = git(['rev-parse', 'HEAD']);
});

afterAll(() => {
  if (repo) fs.rmSync(repo, { recursive: true, force: true });
});

/** The diff part, the same whatever the database. */
function expectDiff(report: PolicyDiffReport) {
  const { diff } = report;
  expect(diff.principals.map((p) => p.principal)).toEqual(['admin', 'auditor']);
  const admin = diff.principals.find((p) => p.principal === 'admin')!;
  expect(admin.gains).toEqual([]);
  expect(admin.losses).toEqual([
    {
      op: 'user.suspend',
      scope: 'a support',
      principal: 'admin',
      from: expect.stringMatching(/^(allow|step-up|approval)$/),
      to: 'deny',
      fromRule: 'admin.manage_lower_roles',
      toRule: 'fixture.admin_no_suspend_support',
      change: expect.stringMatching(/^now denied \(was /),
    },
  ]);
  const auditor = diff.principals.find((p) => p.principal === 'auditor')!;
  expect(auditor.losses).toEqual([]);
  expect(auditor.gains).toEqual([
    {
      op: 'alert.acknowledge',
      scope: 'an open alert',
      principal: 'auditor',
      from: 'deny',
      to: expect.stringMatching(/^(allow|step-up)$/),
      fromRule: 'authz.default_deny',
      toRule: 'fixture.auditor_acknowledges',
      change: expect.stringMatching(/^now allowed/),
    },
  ]);
  expect(diff.addedOperations).toEqual([]);
  expect(diff.removedOperations).toEqual([]);
  expect(diff.catalogChanges).toEqual([]);
  expect(diff.ruleChanges).toEqual([]);
  expect(diff.identical).toBe(false);
}

describe.each(testProviders())('policy:diff on %s', (provider) => {
  let t: TestDb;
  let inWindowSeq: number;
  const now = new Date();
  const ids = { superadmin: '', admin: '', auditor: '', support: '', support2: '', member: '' };

  beforeAll(async () => {
    t = await createTestDb({ provider });
    for (const [key, role] of [
      ['superadmin', 'superadmin'],
      ['admin', 'admin'],
      ['auditor', 'auditor'],
      ['support', 'support'],
      ['support2', 'support'],
      ['member', 'member'],
    ] as const) {
      const u = await t.db.user.create({ data: { email: `${key}@example.test`, name: key, role } });
      ids[key] = u.id;
    }
    const summary = (role: string, status: string) => ({ role, status, deleted: false });
    const append = (
      at: Date,
      e: {
        actor: keyof typeof ids;
        role: string;
        op: string;
        target: { type: string; id: string } | null;
        outcome: string;
        reasonCode?: string;
        details?: Record<string, unknown>;
      },
    ) =>
      t.db.$transaction((tx) =>
        appendAuditEvent(
          tx,
          {
            actor: { id: ids[e.actor], role: e.role, sessionId: null },
            correlationId: randomBytes(8).toString('hex'),
            operation: e.op as 'user.suspend',
            target: e.target,
            outcome: e.outcome as 'success',
            reasonCode: e.reasonCode ?? null,
            details: e.details ?? {},
            policyVersion: POLICY_VERSION,
            decision: 'test.seed',
          },
          { at },
        ),
      );
    const suspendSupport = { before: summary('support', 'active'), after: summary('support', 'suspended') };
    // Outside the 30-day window: the same change, not replayed.
    await append(new Date(now.getTime() - 40 * DAY), {
      actor: 'admin',
      role: 'admin',
      op: 'user.suspend',
      target: { type: 'User', id: ids.support2 },
      outcome: 'success',
      details: suspendSupport,
    });
    // Inside: an admin suspended a support user — allowed then, denied under B.
    inWindowSeq = (
      await append(new Date(now.getTime() - 3 * DAY), {
        actor: 'admin',
        role: 'admin',
        op: 'user.suspend',
        target: { type: 'User', id: ids.support },
        outcome: 'success',
        details: suspendSupport,
      })
    ).seq;
    // Unchanged: an admin suspended a member.
    await append(new Date(now.getTime() - 2 * DAY), {
      actor: 'admin',
      role: 'admin',
      op: 'user.suspend',
      target: { type: 'User', id: ids.member },
      outcome: 'success',
      details: { before: summary('member', 'active'), after: summary('member', 'suspended') },
    });
    // Not a policy decision (step-up missing): skipped.
    await append(new Date(now.getTime() - 2 * DAY), {
      actor: 'admin',
      role: 'admin',
      op: 'user.suspend',
      target: { type: 'User', id: ids.support },
      outcome: 'denied',
      reasonCode: 'step_up_required',
    });
    // The alert's state is not in the event: the scopes disagree under B (open: allowed, others: denied), so not reported.
    await append(new Date(now.getTime() - 1 * DAY), {
      actor: 'auditor',
      role: 'auditor',
      op: 'alert.acknowledge',
      target: { type: 'Alert', id: 'alert-1' },
      outcome: 'denied',
      reasonCode: 'forbidden',
    });
    // No details, the target's role comes from the User row: admin suspending a support user, denied then and now.
    await append(new Date(now.getTime() - 1 * DAY), {
      actor: 'admin',
      role: 'admin',
      op: 'user.suspend',
      target: { type: 'User', id: ids.support2 },
      outcome: 'denied',
      reasonCode: 'forbidden',
    });
    // Own account, unchanged.
    await append(new Date(now.getTime() - 60 * 60_000), {
      actor: 'superadmin',
      role: 'superadmin',
      op: 'auth.sign_out',
      target: { type: 'User', id: ids.superadmin },
      outcome: 'success',
    });
  });

  afterAll(async () => {
    await t?.cleanup();
  });

  it('lists who gains and loses what, and exactly the in-window event whose decision would change', async () => {
    const report = await runPolicyDiff(parsePolicyDiffArgs([revA, revB, '--repo', repo]), { db: t.db, now });
    expectDiff(report);
    const replay = report.replay!;
    expect(replay.days).toBe(30);
    expect(replay.read).toBe(6);
    expect(replay.replayed).toBe(4);
    expect(replay.unchanged).toBe(3);
    expect(replay.changed).toBe(1);
    expect(replay.skipped).toEqual({ not_in_catalog: 0, no_actor_role: 0, not_a_policy_decision: 1, scope_undecided: 1 });
    expect(replay.changedByOperation).toEqual({ 'user.suspend': 1 });
    expect(replay.changes).toEqual([
      expect.objectContaining({
        kind: 'changed',
        seq: inWindowSeq,
        principal: 'admin',
        actorId: ids.admin,
        operation: 'user.suspend',
        scope: 'a support',
        was: 'allowed',
        would: 'denied',
        decision: 'deny',
        rule: 'fixture.admin_no_suspend_support',
      }),
    ]);
    const text = reportToText(report);
    expect(text).toContain('admin loses:\n  user.suspend on a support: now denied');
    expect(text).toContain('auditor gains:\n  alert.acknowledge on an open alert: now allowed');
    expect(text).toMatch(
      new RegExp(
        `seq ${inWindowSeq} \\d{4}-\\d\\d-\\d\\d admin admin@example\\.test user\\.suspend on a support: was allowed, would be denied`,
      ),
    );

    // --days 2 leaves the in-window change out; --no-replay reads nothing.
    const short = await runPolicyDiff(parsePolicyDiffArgs([revA, revB, '--repo', repo, '--days', '2']), { db: t.db, now });
    expect(short.replay!.changed).toBe(0);
    const none = await runPolicyDiff(parsePolicyDiffArgs([revA, revB, '--repo', repo, '--no-replay']), { db: t.db, now });
    expect(none.replay).toBeNull();
    expectDiff(none);
    // The same revision on both sides: nothing.
    const same = await runPolicyDiff(parsePolicyDiffArgs([revA, revA, '--repo', repo, '--no-replay']));
    expect(same.diff.identical).toBe(true);
    expect(reportToJson(same).principals).toEqual([]);
    // The temporary copies are gone.
    const tmp = path.join(APP_ROOT, 'var', 'policy-diff');
    expect(fs.existsSync(tmp) ? fs.readdirSync(tmp) : []).toEqual([]);
  });

  it.runIf(provider === 'sqlite')('the CLI prints the same as JSON, and exits 2 on bad arguments', () => {
    const cli = (args: string[]) =>
      spawnSync(path.join(APP_ROOT, 'node_modules/.bin/tsx'), ['--conditions=react-server', 'scripts/policy-diff.ts', ...args], {
        cwd: APP_ROOT,
        encoding: 'utf8',
        env: { ...process.env, DATABASE_URL: t.url, NODE_ENV: 'test' },
      });
    const run = cli([revA, revB, '--repo', repo, '--json']);
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    const json = JSON.parse(run.stdout);
    expectDiff({ from: json.from, to: json.to, diff: json, replay: null });
    expect(json.replay.changed).toBe(1);
    expect(json.replay.changes).toHaveLength(1);
    expect(json.replay.changes[0]).toMatchObject({
      seq: inWindowSeq,
      operation: 'user.suspend',
      scope: 'a support',
      was: 'allowed',
      would: 'denied',
      actorEmail: 'admin@example.test',
    });

    for (const [args, message] of [
      [[revA], 'expected two revisions'],
      [[revA, revB, '--days', '0'], 'days'],
      [[revA, revB, '--days', 'many'], 'days'],
      [[revA, revB, '--frobnicate'], 'unknown option "--frobnicate"'],
      [[revA, revB, '--no-replay', '--days', '3'], 'exclude each other'],
      [['WORKTREE', revB], 'only <toRev> may be WORKTREE'],
      [['no-such-revision', revB, '--repo', repo], 'unknown revision "no-such-revision"'],
    ] as const) {
      const bad = cli([...args]);
      expect(bad.status, args.join(' ')).toBe(2);
      expect(bad.stderr).toContain(message);
      expect(bad.stdout).toBe('');
    }
  });
});
