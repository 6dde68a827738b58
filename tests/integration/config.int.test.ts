import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { approveRequestAction } from '@/app/(console)/approvals/_actions/approve-request';
import { applyConfigChangesAction } from '@/app/(console)/config/_actions/apply-config-changes';
import { applySensitiveConfigChangesAction } from '@/app/(console)/config/_actions/apply-sensitive-config-changes';
import { requestCriticalConfigChangesAction } from '@/app/(console)/config/_actions/request-critical-config-changes';
import { stageConfigChangeAction } from '@/app/(console)/config/_actions/stage-config-change';
import { unstageConfigChangeAction } from '@/app/(console)/config/_actions/unstage-config-change';
import { exchangeTicket } from '@/lib/auth/session-issue';
import { mintTicket } from '@/lib/auth/tickets';
import type { ConfigKey } from '@/lib/config/keys';
import { invalidateSettings, secretFingerprint, setting } from '@/lib/config/settings';
import { getConfigKey, getDraft, listConfig, type ChangeSetDTO } from '@/lib/dal/config';
import type { OperationId } from '@/policies/operations';
import { ActionHarness, REFUSAL_CODES, type Caller } from '../helpers/action-harness';
import { testProviders } from '../helpers/test-db';

// lib/env validates and caches process.env on first use, which happens while the
// imports above load (lib/log): the deployment is fixed before them.
vi.hoisted(() => {
  vi.stubEnv('APP_URL', 'http://localhost:3000');
  vi.stubEnv('AUTH_SECRET', 'warden-integration-tests-secret-0123456789');
  vi.stubEnv('WARDEN_ENCRYPTION_KEYS', '');
  vi.stubEnv('WARDEN_ENCRYPTION_KEY_ID', undefined);
  vi.stubEnv('LOG_LEVEL', 'silent');
});
// Only the framework's request scope is replaced (tests/helpers/action-harness.ts).
vi.mock('next/headers', () => import('../helpers/request-scope'));
vi.mock('next/cache', () => ({ revalidatePath: () => undefined, revalidateTag: () => undefined }));

const REASON = 'Integration test of configuration changes, CHG-8002';
const HOUR = 60 * 60 * 1000;

/**
 * Configuration (issue 8) through the real server actions: values are typed and
 * validated, changes are staged into a change set, reviewed and applied by tier
 * (normal at once, sensitive with step-up and reason, critical only with a second
 * superadmin's approval), and every applied change leaves an append-only revision
 * and an audit event. Secrets are write-only.
 */
describe.each(testProviders())('configuration through the real server actions on %s', (provider) => {
  let h: ActionHarness;

  beforeAll(async () => {
    h = await ActionHarness.create(provider, 'config');
  });
  afterAll(async () => {
    await h?.cleanup();
  });
  beforeEach(() => {
    invalidateSettings();
  });

  /** A real step-up proof; the user's code replay marker is cleared first (test setup: many step-ups per 30 s). */
  async function proof(caller: Caller, op: OperationId, input: unknown): Promise<string> {
    await h.db.user.update({ where: { id: caller.user!.id }, data: { totpLastStep: null } });
    return h.stepUpProof(caller, op, input);
  }

  function stage(caller: Caller, key: ConfigKey, value: string) {
    return h.call(caller, stageConfigChangeAction, { key, mode: 'set', value });
  }

  async function staged(caller: Caller, key: ConfigKey, value: string) {
    const { result } = await stage(caller, key, value);
    expect(result).toMatchObject({ ok: true });
  }

  async function draftOf(caller: Caller): Promise<ChangeSetDTO> {
    const draft = await h.as(caller, () => getDraft(h.viewerOf(caller)));
    expect(draft).not.toBeNull();
    return draft!;
  }

  const entry = (key: ConfigKey) => h.db.configEntry.findUnique({ where: { key } });
  const versionOf = async (key: ConfigKey) => (await entry(key))?.version ?? 0;

  async function applySensitive(caller: Caller, draft: ChangeSetDTO, reason = REASON) {
    const input = { changeSetId: draft.id, digest: draft.digest, reason };
    const stepUpProof = await proof(caller, 'config.apply_sensitive', input);
    return h.call(caller, applySensitiveConfigChangesAction, input, { stepUpProof });
  }

  async function requestCritical(caller: Caller, draft: ChangeSetDTO) {
    const input = { changeSetId: draft.id, digest: draft.digest, reason: REASON };
    const stepUpProof = await proof(caller, 'config.apply_critical', input);
    const { result, correlationId } = await h.call(caller, requestCriticalConfigChangesAction, input, { stepUpProof });
    expect(result).toMatchObject({ ok: false, code: 'APPROVAL_REQUIRED', approval: { id: expect.any(String) } });
    const id = (result as unknown as { approval: { id: string } }).approval.id;
    const { digest } = await h.db.approvalRequest.findUniqueOrThrow({ where: { id }, select: { digest: true } });
    return { id, digest, correlationId };
  }

  async function approve(approver: Caller, id: string, digest: string) {
    const stepUpProof = await proof(approver, 'approval.approve', { id, digest });
    return h.call(approver, approveRequestAction, { id, digest }, { stepUpProof });
  }

  it('applies a normal key at once: entry, revision, event, and the typed reader sees it', async () => {
    const admin = await h.caller('admin');
    const before = await versionOf('console.banner');
    const stagedCall = await stage(admin, 'console.banner', 'Maintenance on Friday 18:00 UTC');
    expect(stagedCall.result).toMatchObject({ ok: true, data: { items: 1 } });
    expect(await h.eventsOf(stagedCall.correlationId)).toEqual([
      expect.objectContaining({ operation: 'config.stage', outcome: 'success', targetType: 'ConfigEntry', targetId: 'console.banner' }),
    ]);
    // Staging changes nothing yet.
    expect(await versionOf('console.banner')).toBe(before);

    const draft = await draftOf(admin);
    expect(draft).toMatchObject({ tier: 'normal', op: 'config.apply', demands: { stepUp: false, twoPerson: false } });
    const applied = await h.call(admin, applyConfigChangesAction, { changeSetId: draft.id, digest: draft.digest });
    expect(applied.result).toMatchObject({ ok: true, data: { applied: 1 } });

    expect(await entry('console.banner')).toMatchObject({
      value: JSON.stringify('Maintenance on Friday 18:00 UTC'),
      version: before + 1,
      tier: 'normal',
      updatedById: admin.user!.id,
    });
    const revision = await h.db.configRevision.findFirstOrThrow({ where: { key: 'console.banner', version: before + 1 } });
    expect(revision).toMatchObject({
      kind: 'set',
      after: JSON.stringify('Maintenance on Friday 18:00 UTC'),
      changeSetId: draft.id,
      approvalId: null,
      authorId: admin.user!.id,
    });
    if (before === 0) expect(revision).toMatchObject({ version: 1, before: null, beforeDefault: true, afterDefault: false });
    const events = await h.eventsOf(applied.correlationId);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ operation: 'config.apply', outcome: 'success', targetType: 'ConfigChangeSet', targetId: draft.id });
    expect(JSON.parse(events[0]!.details)).toMatchObject({
      digest: draft.digest,
      changes: [
        { key: 'console.banner', kind: 'set', version: before + 1, revisionId: revision.id, after: 'Maintenance on Friday 18:00 UTC' },
      ],
    });
    expect(await h.db.configChangeSet.findUniqueOrThrow({ where: { id: draft.id } })).toMatchObject({ status: 'applied' });
    expect(await setting('console.banner')).toBe('Maintenance on Friday 18:00 UTC');
  });

  it('rejects bad values with a typed field error; nothing is staged or changed', async () => {
    const admin = await h.caller('admin');
    const cases: [ConfigKey, string][] = [
      ['session.absolute_lifetime', 'abc'],
      ['session.absolute_lifetime', '48h'],
      ['tickets.page_size', '500'],
      ['tickets.page_size', 'ten'],
      ['mfa.step_up_methods', 'sms_only'],
      ['audit.trail_notes', '{"retainDays": 400,'],
      ['audit.trail_notes', '{"retainDays": 10, "exportedTo": ""}'],
      ['console.banner', 'Deploy \u202Eeciov\u202C today'],
      ['alerts.webhook_secret', 'too short'],
    ];
    const entriesBefore = await h.db.configEntry.findMany({ orderBy: { key: 'asc' } });
    for (const [key, value] of cases) {
      const { result } = await stage(admin, key, value);
      expect(result, `${key} = ${value}`).toMatchObject({ ok: false, code: 'VALIDATION', fieldErrors: { value: [expect.any(String)] } });
    }
    const { result: tooLong } = await stage(admin, 'session.absolute_lifetime', '48h');
    expect(tooLong).toMatchObject({ fieldErrors: { value: ['At most 12h.'] } });
    expect(await h.db.configChangeItem.count({ where: { changeSet: { authorId: admin.user!.id } } })).toBe(0);
    expect(await h.db.configEntry.findMany({ orderBy: { key: 'asc' } })).toEqual(entriesBefore);
    expect(await h.as(admin, () => getDraft(h.viewerOf(admin)))).toBeNull();
  });

  describe('sensitive keys', () => {
    it('need a reason and a step-up, then apply', async () => {
      const admin = await h.caller('admin');
      await staged(admin, 'invitations.ttl', '48h');
      const draft = await draftOf(admin);
      expect(draft).toMatchObject({ tier: 'sensitive', op: 'config.apply_sensitive', demands: { stepUp: true, reason: 'required' } });
      const before = await versionOf('invitations.ttl');

      const noReason = await h.call(admin, applySensitiveConfigChangesAction, { changeSetId: draft.id, digest: draft.digest });
      expect(noReason.result).toMatchObject({ ok: false, code: 'REASON_REQUIRED' });
      const noProof = await h.call(admin, applySensitiveConfigChangesAction, {
        changeSetId: draft.id,
        digest: draft.digest,
        reason: REASON,
      });
      expect(noProof.result).toMatchObject({ ok: false, code: 'STEP_UP_REQUIRED' });
      expect(await versionOf('invitations.ttl')).toBe(before);

      const applied = await applySensitive(admin, draft);
      expect(applied.result).toMatchObject({ ok: true, data: { applied: 1 } });
      expect(await entry('invitations.ttl')).toMatchObject({ value: String(48 * HOUR), version: before + 1 });
      expect(await h.eventsOf(applied.correlationId)).toEqual([
        expect.objectContaining({ operation: 'config.apply_sensitive', outcome: 'success', reason: REASON }),
      ]);
      expect(await setting('invitations.ttl')).toBe(48 * HOUR);
    });

    it('the normal apply of a set that holds a sensitive key is refused; nothing applied', async () => {
      const admin = await h.caller('admin');
      await staged(admin, 'console.banner', 'Mixed set');
      await staged(admin, 'password_reset.ttl', '30m');
      const draft = await draftOf(admin);
      expect(draft.tier).toBe('sensitive');
      const banner = await entry('console.banner');
      const ttl = await entry('password_reset.ttl');
      const { result } = await h.call(admin, applyConfigChangesAction, { changeSetId: draft.id, digest: draft.digest, reason: REASON });
      expect(result).toMatchObject({ ok: false, code: 'CONFLICT' });
      expect(await entry('console.banner')).toEqual(banner);
      expect(await entry('password_reset.ttl')).toEqual(ttl);
      expect(await h.db.configChangeSet.findUniqueOrThrow({ where: { id: draft.id } })).toMatchObject({ status: 'draft' });
    });
  });

  describe('critical keys', () => {
    it('issue 8 “Done when”: an admin’s session-lifetime change applies only after a second superadmin approves it', async () => {
      const admin = await h.caller('admin');
      const superadmin = await h.caller('superadmin');
      await staged(admin, 'session.absolute_lifetime', '8h');
      const draft = await draftOf(admin);
      expect(draft).toMatchObject({ tier: 'critical', op: 'config.apply_critical', demands: { stepUp: true, twoPerson: true } });

      // Without the step-up, no request.
      const bare = await h.call(admin, requestCriticalConfigChangesAction, { changeSetId: draft.id, digest: draft.digest, reason: REASON });
      expect(bare.result).toMatchObject({ ok: false, code: 'STEP_UP_REQUIRED' });
      // Not through the lower tiers' apply either.
      const normal = await h.call(admin, applyConfigChangesAction, { changeSetId: draft.id, digest: draft.digest, reason: REASON });
      expect(normal.result).toMatchObject({ ok: false, code: 'CONFLICT' });
      const sensitive = await applySensitive(admin, draft);
      expect(sensitive.result).toMatchObject({ ok: false, code: 'CONFLICT' });
      expect(await entry('session.absolute_lifetime')).toBeNull();

      const asked = await requestCritical(admin, draft);
      expect(await h.db.configChangeSet.findUniqueOrThrow({ where: { id: draft.id } })).toMatchObject({
        status: 'pending_approval',
        approvalId: asked.id,
        reason: REASON,
      });
      expect(await h.db.approvalRequest.findUniqueOrThrow({ where: { id: asked.id } })).toMatchObject({
        status: 'pending',
        operation: 'config.apply_critical',
        targetType: 'ConfigChangeSet',
        targetId: draft.id,
        requesterId: admin.user!.id,
      });
      expect(await entry('session.absolute_lifetime')).toBeNull();
      expect(await setting('session.absolute_lifetime')).toBe(12 * HOUR);

      // An auditor cannot approve it; another admin cannot either.
      for (const role of ['auditor', 'admin'] as const) {
        const { result } = await approve(await h.caller(role), asked.id, asked.digest);
        expect(result.ok, role).toBe(false);
        if (!result.ok) expect(REFUSAL_CODES).toContain(result.code);
      }

      const approved = await approve(superadmin, asked.id, asked.digest);
      expect(approved.result).toEqual({ ok: true, data: { status: 'executed' } });
      expect(await entry('session.absolute_lifetime')).toMatchObject({ value: String(8 * HOUR), version: 1, tier: 'critical' });
      const revision = await h.db.configRevision.findFirstOrThrow({ where: { key: 'session.absolute_lifetime', version: 1 } });
      expect(revision).toMatchObject({ approvalId: asked.id, authorId: admin.user!.id, changeSetId: draft.id, reason: REASON });
      expect(await h.db.configChangeSet.findUniqueOrThrow({ where: { id: draft.id } })).toMatchObject({ status: 'applied' });
      const row = await h.db.approvalRequest.findUniqueOrThrow({ where: { id: asked.id } });
      expect(row).toMatchObject({ status: 'executed', approverId: superadmin.user!.id });
      const execution = (await h.eventsOf(approved.correlationId)).find((e) => e.operation === 'config.apply_critical');
      expect(execution).toMatchObject({ outcome: 'success', actorId: admin.user!.id, seq: row.executionSeq, targetId: draft.id });
      expect(JSON.parse(execution!.details)).toMatchObject({
        approval: { id: asked.id, approverId: superadmin.user!.id, requestSeq: row.requestSeq, decisionSeq: row.decisionSeq },
        changes: [{ key: 'session.absolute_lifetime', before: null, after: 8 * HOUR, version: 1 }],
      });
      expect(await setting('session.absolute_lifetime')).toBe(8 * HOUR);

      // Sessions started from now on last 8 hours.
      const member = await h.createUser({ role: 'support' });
      const ticket = await h.db.$transaction((tx) => mintTicket(tx, { userId: member.id, purpose: 'sign_in', amr: 'pwd+otp' }));
      expect(await h.as(h.anonymous(), () => exchangeTicket(ticket))).toMatchObject({ userId: member.id });
      const session = await h.db.session.findFirstOrThrow({ where: { userId: member.id }, orderBy: { createdAt: 'desc' } });
      expect(session.expiresAt.getTime() - session.authTime.getTime()).toBe(8 * HOUR);
    });

    it('an auditor can neither stage nor request a critical change', async () => {
      const auditor = await h.caller('auditor');
      const { result, correlationId } = await stage(auditor, 'session.idle_timeout', '20m');
      expect(result.ok).toBe(false);
      if (!result.ok) expect(REFUSAL_CODES).toContain(result.code);
      expect(await h.eventsOf(correlationId)).toEqual([expect.objectContaining({ operation: 'config.stage', outcome: 'denied' })]);

      // Not even with someone else's reviewed change set.
      const admin = await h.caller('admin');
      await staged(admin, 'session.idle_timeout', '20m');
      const draft = await draftOf(admin);
      const input = { changeSetId: draft.id, digest: draft.digest, reason: REASON };
      const stepUpProof = await proof(auditor, 'config.apply_critical', input);
      const asked = await h.call(auditor, requestCriticalConfigChangesAction, input, { stepUpProof });
      expect(asked.result.ok).toBe(false);
      if (!asked.result.ok) expect(REFUSAL_CODES).toContain(asked.result.code);
      expect(await h.db.approvalRequest.count({ where: { requesterId: auditor.user!.id } })).toBe(0);
    });

    it('a superadmin’s own critical change is two-person too: they cannot approve it themselves', async () => {
      const sa = await h.caller('superadmin');
      await staged(sa, 'session.superadmin_idle_timeout', '10m');
      const draft = await draftOf(sa);
      const direct = await h.call(sa, applyConfigChangesAction, { changeSetId: draft.id, digest: draft.digest, reason: REASON });
      expect(direct.result).toMatchObject({ ok: false, code: 'CONFLICT' });
      const asked = await requestCritical(sa, draft);
      const own = await approve(sa, asked.id, asked.digest);
      expect(own.result.ok).toBe(false);
      if (!own.result.ok) expect(REFUSAL_CODES).toContain(own.result.code);
      expect(await h.db.approvalRequest.findUniqueOrThrow({ where: { id: asked.id } })).toMatchObject({ status: 'pending' });
      expect(await entry('session.superadmin_idle_timeout')).toBeNull();
    });

    it('a change set edited after it was requested does not run: the approval fails, nothing applied', async () => {
      const admin = await h.caller('admin');
      const superadmin = await h.caller('superadmin');
      await staged(admin, 'session.idle_timeout', '25m');
      const draft = await draftOf(admin);
      const asked = await requestCritical(admin, draft);
      await h.db.configChangeItem.updateMany({
        where: { changeSetId: draft.id, key: 'session.idle_timeout' },
        data: { value: String(2 * 60 * 1000) },
      });
      const before = await entry('session.idle_timeout');

      const approved = await approve(superadmin, asked.id, asked.digest);
      // The request itself is intact, so it is approved; applying then finds the items differ from the digest.
      expect(approved.result).toMatchObject({
        ok: true,
        data: { status: 'failed', message: expect.stringMatching(/changed since it was reviewed/) },
      });
      expect(await entry('session.idle_timeout')).toEqual(before);
      expect(await h.db.configRevision.count({ where: { changeSetId: draft.id } })).toBe(0);
      expect(await h.db.approvalRequest.findUniqueOrThrow({ where: { id: asked.id } })).toMatchObject({
        status: 'failed',
        failureReason: 'execution_conflict',
        executionSeq: null,
      });
      expect(await h.db.configChangeSet.findUniqueOrThrow({ where: { id: draft.id } })).toMatchObject({ status: 'voided' });
      expect((await h.eventsOf(approved.correlationId)).map((e) => [e.operation, e.outcome])).toEqual([
        ['approval.approve', 'success'],
        ['approval.execute', 'failure'],
      ]);
    });
  });

  it('a key someone else changed since it was staged stops the whole set (stale)', async () => {
    const first = await h.caller('admin');
    const second = await h.caller('admin');
    await staged(first, 'tickets.page_size', '30');
    await staged(first, 'console.banner', 'Stale set banner');
    const firstDraft = await draftOf(first);
    await staged(second, 'tickets.page_size', '40');
    const secondDraft = await draftOf(second);
    expect(
      (await h.call(second, applyConfigChangesAction, { changeSetId: secondDraft.id, digest: secondDraft.digest })).result,
    ).toMatchObject({ ok: true });
    const banner = await entry('console.banner');

    const { result } = await h.call(first, applyConfigChangesAction, { changeSetId: firstDraft.id, digest: firstDraft.digest });
    expect(result).toMatchObject({ ok: false, code: 'CONFLICT', message: expect.stringMatching(/Tickets per page/) });
    expect(await setting('tickets.page_size')).toBe(40);
    expect(await entry('console.banner')).toEqual(banner);
    expect((await draftOf(first)).items.find((i) => i.key === 'tickets.page_size')).toMatchObject({ stale: true });
    // Unstaging the stale key lets the rest apply.
    expect((await h.call(first, unstageConfigChangeAction, { key: 'tickets.page_size' })).result).toMatchObject({
      ok: true,
      data: { items: 1 },
    });
    const rest = await draftOf(first);
    expect((await h.call(first, applyConfigChangesAction, { changeSetId: rest.id, digest: rest.digest })).result).toMatchObject({
      ok: true,
    });
    expect(await setting('tickets.page_size')).toBe(40);
    expect(await setting('console.banner')).toBe('Stale set banner');
  });

  it('secrets are write-only: sealed, fingerprinted, never in the trail or a DTO, never restored', async () => {
    const admin = await h.caller('admin');
    const plaintext = `whsec-${'Zq7'.repeat(12)}-integration`;
    const staging = await stage(admin, 'alerts.webhook_secret', plaintext);
    expect(staging.result).toMatchObject({ ok: true });
    const item = await h.db.configChangeItem.findFirstOrThrow({
      where: { key: 'alerts.webhook_secret', changeSet: { authorId: admin.user!.id } },
    });
    expect(item.value).toBeNull();
    expect(item.secretEnc).toEqual(expect.any(String));
    expect(item.secretEnc).not.toContain(plaintext);
    expect(item.fingerprint).toBe(secretFingerprint(plaintext));
    const stageEvent = (await h.eventsOf(staging.correlationId))[0]!;
    expect(JSON.parse(stageEvent.details)).toMatchObject({ fingerprint: item.fingerprint });

    const draft = await draftOf(admin);
    expect(JSON.stringify(draft)).not.toContain(plaintext);
    const applied = await applySensitive(admin, draft);
    expect(applied.result).toMatchObject({ ok: true });
    const stored = await entry('alerts.webhook_secret');
    expect(stored).toMatchObject({ value: null, fingerprint: item.fingerprint });
    expect(stored!.secretEnc).not.toContain(plaintext);
    const applyEvent = (await h.eventsOf(applied.correlationId))[0]!;
    expect(JSON.parse(applyEvent.details)).toMatchObject({
      changes: [{ key: 'alerts.webhook_secret', afterFingerprint: item.fingerprint }],
    });

    // Nowhere in clear: the trail, revisions, change sets, and what any reader is sent.
    const everything = JSON.stringify([
      await h.db.auditEvent.findMany(),
      await h.db.configRevision.findMany(),
      await h.db.configChangeItem.findMany(),
      await h.db.configEntry.findMany(),
      await h.db.approvalRequest.findMany(),
    ]);
    expect(everything).not.toContain(plaintext);
    for (const role of ['admin', 'superadmin', 'auditor'] as const) {
      const viewer = h.viewerOf(await h.caller(role));
      const list = await listConfig(viewer);
      expect(list.find((e) => e.key === 'alerts.webhook_secret')).toMatchObject({ value: null, fingerprint: item.fingerprint });
      const one = await getConfigKey(viewer, 'alerts.webhook_secret');
      expect(JSON.stringify([list, one])).not.toContain(plaintext);
      expect(one!.revisions[0]).toMatchObject({ restorable: false, afterFingerprint: item.fingerprint });
    }

    // An old secret is never restored from history.
    const revision = await h.db.configRevision.findFirstOrThrow({ where: { key: 'alerts.webhook_secret' }, orderBy: { version: 'desc' } });
    const rollback = await h.call(admin, stageConfigChangeAction, {
      key: 'alerts.webhook_secret',
      mode: 'rollback',
      revisionId: revision.id,
    });
    expect(rollback.result).toMatchObject({ ok: false, code: 'VALIDATION' });
    expect(await h.as(admin, () => getDraft(h.viewerOf(admin)))).toBeNull();
  });

  it('rolls back to an earlier revision: the old value returns as a new "rollback" revision', async () => {
    const admin = await h.caller('admin');
    const applyBanner = async (value: string) => {
      await staged(admin, 'console.banner', value);
      const draft = await draftOf(admin);
      const { result } = await h.call(admin, applyConfigChangesAction, { changeSetId: draft.id, digest: draft.digest });
      expect(result).toMatchObject({ ok: true });
    };
    await applyBanner('Rollback banner one');
    const v1 = await h.db.configRevision.findFirstOrThrow({ where: { key: 'console.banner' }, orderBy: { version: 'desc' } });
    await applyBanner('Rollback banner two');
    expect(await setting('console.banner')).toBe('Rollback banner two');

    const staging = await h.call(admin, stageConfigChangeAction, { key: 'console.banner', mode: 'rollback', revisionId: v1.id });
    expect(staging.result).toMatchObject({ ok: true });
    const draft = await draftOf(admin);
    expect(draft.items).toEqual([expect.objectContaining({ key: 'console.banner', kind: 'rollback', rollbackOfId: v1.id })]);
    const { result } = await h.call(admin, applyConfigChangesAction, { changeSetId: draft.id, digest: draft.digest });
    expect(result).toMatchObject({ ok: true });

    expect(await setting('console.banner')).toBe('Rollback banner one');
    const latest = await h.db.configRevision.findFirstOrThrow({ where: { key: 'console.banner' }, orderBy: { version: 'desc' } });
    expect(latest).toMatchObject({ version: v1.version + 2, kind: 'rollback', rollbackOfId: v1.id, after: v1.after });
  });

  describe('T44 the audit-related settings and the revision history', () => {
    it('T44 an auditor cannot stage audit.trail_notes or approvals.expiry (denied, audited)', async () => {
      const auditor = await h.caller('auditor');
      for (const [key, value] of [
        ['audit.trail_notes', '{"retainDays": 400, "exportedTo": "s3://elsewhere"}'],
        ['approvals.expiry', '72h'],
      ] as const) {
        const { result, correlationId } = await stage(auditor, key, value);
        expect(result.ok).toBe(false);
        if (!result.ok) expect(REFUSAL_CODES).toContain(result.code);
        expect(await h.eventsOf(correlationId)).toEqual([
          expect.objectContaining({ operation: 'config.stage', outcome: 'denied', actorId: auditor.user!.id, actorRole: 'auditor' }),
        ]);
      }
      expect(await h.db.configChangeSet.count({ where: { authorId: auditor.user!.id } })).toBe(0);
    });

    it('T44 an admin cannot apply them without a superadmin’s approval', async () => {
      const admin = await h.caller('admin');
      await staged(admin, 'audit.trail_notes', '{"retainDays": 400, "exportedTo": "s3://elsewhere"}');
      await staged(admin, 'approvals.expiry', '72h');
      const draft = await draftOf(admin);
      const normal = await h.call(admin, applyConfigChangesAction, { changeSetId: draft.id, digest: draft.digest, reason: REASON });
      expect(normal.result).toMatchObject({ ok: false, code: 'CONFLICT' });
      const sensitive = await applySensitive(admin, draft);
      expect(sensitive.result).toMatchObject({ ok: false, code: 'CONFLICT' });
      const asked = await requestCritical(admin, draft);
      const byAdmin = await approve(await h.caller('admin'), asked.id, asked.digest);
      expect(byAdmin.result.ok).toBe(false);
      expect(await entry('audit.trail_notes')).toBeNull();
      expect(await entry('approvals.expiry')).toBeNull();
      expect(await setting('approvals.expiry')).toBe(24 * HOUR);
    });

    it('T44 ConfigRevision rows cannot be updated or deleted, even with raw SQL', async () => {
      const admin = await h.caller('admin');
      await staged(admin, 'console.banner', 'Append-only check');
      const draft = await draftOf(admin);
      expect((await h.call(admin, applyConfigChangesAction, { changeSetId: draft.id, digest: draft.digest })).result).toMatchObject({
        ok: true,
      });
      const before = await h.db.configRevision.findMany({ orderBy: { id: 'asc' } });
      expect(before.length).toBeGreaterThan(0);
      await expect(h.db.$executeRawUnsafe(`UPDATE "ConfigRevision" SET "reason" = 'rewritten'`)).rejects.toThrow();
      await expect(h.db.$executeRawUnsafe(`DELETE FROM "ConfigRevision"`)).rejects.toThrow();
      expect(await h.db.configRevision.findMany({ orderBy: { id: 'asc' } })).toEqual(before);
    });
  });

  it('T35 markup in a value and a reason is stored verbatim and returned as data', async () => {
    const admin = await h.caller('admin');
    const markup = '<b>Freeze</b> <script>alert(1)</script> & <img src=x onerror=alert(2)>';
    const reason = 'Testing <i>markup</i> in reasons <script>alert(3)</script>';
    await staged(admin, 'console.banner', markup);
    const draft = await draftOf(admin);
    const { result } = await h.call(admin, applyConfigChangesAction, { changeSetId: draft.id, digest: draft.digest, reason });
    expect(result).toMatchObject({ ok: true });
    expect(await setting('console.banner')).toBe(markup);
    const read = await getConfigKey(h.viewerOf(admin), 'console.banner');
    expect(read!.entry.value).toBe(markup);
    expect(read!.revisions[0]).toMatchObject({ after: markup, reason });
  });
});
