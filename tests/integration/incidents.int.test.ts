import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { signOutAction } from '@/app/(console)/_actions/sign-out';
import { revokeOtherSessionsAction } from '@/app/(console)/account/sessions/_actions/revoke-other-sessions';
import { addIncidentNoteAction } from '@/app/(console)/incidents/_actions/add-incident-note';
import { closeIncidentAction } from '@/app/(console)/incidents/_actions/close-incident';
import { linkIncidentAlertAction } from '@/app/(console)/incidents/_actions/link-incident-alert';
import { openIncidentAction } from '@/app/(console)/incidents/_actions/open-incident';
import { revokeAllSessionsAction } from '@/app/(console)/incidents/_actions/revoke-all-sessions';
import { setIncidentStatusAction } from '@/app/(console)/incidents/_actions/set-incident-status';
import { setLockdownAction } from '@/app/(console)/incidents/_actions/set-lockdown';
import { reactivateRoleAction } from '@/app/(console)/roles/_actions/reactivate-role';
import { suspendRoleAction } from '@/app/(console)/roles/_actions/suspend-role';
import { revokeUserSessionsAction } from '@/app/(console)/users/_actions/revoke-user-sessions';
import { suspendUserAction } from '@/app/(console)/users/_actions/suspend-user';
import { GENESIS_HASH } from '@/lib/audit/hash';
import { verifyChain } from '@/lib/audit/verify';
import { refusalFor } from '@/lib/auth/first-factor';
import { hashToken } from '@/lib/auth/tokens';
import { getViewer } from '@/lib/auth/viewer';
import { invalidateSettings } from '@/lib/config/settings';
import { getIncident, listIncidents } from '@/lib/dal/incidents';
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

const REASON = 'Integration test of incident response, INC-9001';
const REVIEW = {
  whatHappened: 'A burst of privilege changes by one compromised admin account.',
  impact: 'Three member accounts were given the support role for ten minutes.',
  followUps: 'Require two-person approval for bulk role changes.',
};

/**
 * The incident register and containment (issue 9) through the real server
 * actions: an incident seals the audit head when it opens and when it closes,
 * its timeline collects alerts, notes and the events of everything done for it
 * (containment actions carry its id and join it in their own transaction), and
 * the console-wide switches (end every session, lockdown) are superadmin-only
 * and hold on the next request.
 */
describe.each(testProviders())('incidents and containment through the real server actions on %s', (provider) => {
  let h: ActionHarness;

  beforeAll(async () => {
    h = await ActionHarness.create(provider, 'incidents');
  });
  afterAll(async () => {
    await h?.cleanup();
  });
  beforeEach(() => {
    invalidateSettings();
  });

  /**
   * A step-up proof obtained the real way. Authenticator codes are single-use per
   * step, so the user's replay marker is cleared first (test setup only): a
   * person in these tests steps up more often than twice per 30 seconds.
   */
  async function proof(caller: Caller, op: OperationId, input: unknown): Promise<string> {
    await h.db.user.update({ where: { id: caller.user!.id }, data: { totpLastStep: null } });
    return h.stepUpProof(caller, op, input);
  }

  /** The audit head (the newest event). */
  async function head() {
    const row = await h.db.auditEvent.findFirstOrThrow({ orderBy: { seq: 'desc' }, select: { seq: true, hash: true } });
    return row;
  }

  /** An alert as lib/monitoring/evaluate.ts would have raised it. */
  async function newAlert(opts: { actorId?: string; status?: string } = {}) {
    const at = new Date();
    return h.db.alert.create({
      data: {
        rule: 'privilege.mass_change',
        severity: 'critical',
        dedupeKey: `actor:incidents-${Math.random().toString(36).slice(2, 10)}`,
        status: opts.status ?? 'open',
        summary: 'Many privilege changes in a short time',
        actorId: opts.actorId ?? null,
        eventSeqs: '[]',
        createdAt: at,
        updatedAt: at,
      },
      select: { id: true },
    });
  }

  /** Opens an incident through the action; returns its id. */
  async function openAs(caller: Caller, extra: Record<string, unknown> = {}) {
    const { result } = await h.call(caller, openIncidentAction, { title: 'Suspicious privilege changes', severity: 'high', ...extra });
    expect(result).toMatchObject({ ok: true });
    return (result as { ok: true; data: { id: string; number: number } }).data;
  }

  const links = (incidentId: string) =>
    h.db.incidentLink.findMany({
      where: { incidentId },
      select: { kind: true, alertId: true, eventSeq: true, note: true, authorId: true },
      orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
    });
  const incidentRow = (id: string) => h.db.incident.findUniqueOrThrow({ where: { id } });
  const successOf = async (correlationId: string, op: string) => {
    const events = (await h.eventsOf(correlationId)).filter((e) => e.operation === op && e.outcome === 'success');
    expect(events).toHaveLength(1);
    return events[0]!;
  };
  const lockdownRow = () => h.db.systemState.findUnique({ where: { id: 'lockdown' } });

  function expectRefused(result: { ok: boolean; code?: string }) {
    expect(result.ok).toBe(false);
    if (!result.ok) expect(REFUSAL_CODES).toContain(result.code);
  }

  it('opens an incident from an alert with the audit head sealed in; an auditor cannot open one, support cannot see it', async () => {
    const admin = await h.caller('admin');
    const subject = await h.createUser({ role: 'member' });
    const alert = await newAlert({ actorId: subject.id });

    // An auditor cannot open one (refused, audited, nothing created, no number used).
    const auditor = await h.caller('auditor');
    const byAuditor = await h.call(auditor, openIncidentAction, { title: 'Auditor incident', severity: 'low', alertId: alert.id });
    expect(byAuditor.result).toMatchObject({ ok: false, code: 'FORBIDDEN' });
    expect((await h.eventsOf(byAuditor.correlationId)).map((e) => [e.operation, e.outcome, e.reasonCode, e.actorId])).toEqual([
      ['incident.open', 'denied', 'forbidden', auditor.user!.id],
    ]);
    expect(await h.db.incident.count()).toBe(0);

    const before = await head();
    const { result, correlationId } = await h.call(admin, openIncidentAction, {
      title: 'Suspicious privilege changes',
      severity: 'high',
      alertId: alert.id,
      reason: REASON,
    });
    expect(result).toEqual({ ok: true, data: { id: expect.any(String), number: 1 } });
    const { id } = (result as { ok: true; data: { id: string } }).data;

    expect(await incidentRow(id)).toMatchObject({
      number: 1,
      title: 'Suspicious privilege changes',
      severity: 'high',
      status: 'open',
      ownerId: admin.user!.id,
      openedById: admin.user!.id,
      openHeadSeq: before.seq,
      openHeadHash: before.hash,
      openCheckpointSeq: null,
      closeHeadSeq: null,
      closedAt: null,
    });
    const opened = await successOf(correlationId, 'incident.open');
    expect(opened).toMatchObject({
      seq: before.seq + 1,
      prevHash: before.hash,
      actorId: admin.user!.id,
      targetType: 'Incident',
      targetId: id,
      reason: REASON,
    });
    expect(JSON.parse(opened.details)).toMatchObject({
      number: 1,
      severity: 'high',
      alertId: alert.id,
      sealed: { headSeq: before.seq, headHash: before.hash, checkpointSeq: null },
      stepUp: false,
    });
    expect(await links(id)).toEqual([
      { kind: 'alert', alertId: alert.id, eventSeq: null, note: null, authorId: admin.user!.id },
      { kind: 'event', alertId: null, eventSeq: opened.seq, note: null, authorId: admin.user!.id },
    ]);
    const detail = await h.as(admin, () => getIncident(h.viewerOf(admin), id));
    expect(detail).toMatchObject({
      number: 1,
      status: 'open',
      alerts: 1,
      opened: { headSeq: before.seq, headHash: before.hash, checkpointSeq: null },
      closed: null,
      subjects: [{ id: subject.id, name: subject.name, role: 'member', status: 'active' }],
      canUpdate: true,
      canClose: true,
    });
    expect(detail!.timeline.map((e) => e.kind)).toEqual(['alert', 'event']);

    // The auditor reads it, but cannot change it.
    expect(await h.as(auditor, () => getIncident(h.viewerOf(auditor), id))).toMatchObject({ id, canUpdate: false, canClose: false });

    // Support does not even see it.
    const support = await h.caller('support');
    expect(await h.as(support, () => getIncident(h.viewerOf(support), id))).toBeNull();
    expect(await h.as(support, () => listIncidents(h.viewerOf(support), { status: 'all', page: 1 }))).toMatchObject({
      total: 0,
      rows: [],
    });
    const bySupport = await h.call(support, addIncidentNoteAction, { id, note: 'support was here' });
    expectRefused(bySupport.result);
    expect(await links(id)).toHaveLength(2);
  });

  it('T20 containment tagged with an incident joins its timeline in the same transaction', async () => {
    const sa = await h.caller('superadmin');
    const admin = await h.caller('admin');
    const incident = await openAs(admin);

    // user.suspend for the incident.
    const target = await h.caller('member');
    const suspend = { id: target.user!.id, reason: REASON, incidentId: incident.id };
    const suspended = await h.call(sa, suspendUserAction, suspend, { stepUpProof: await proof(sa, 'user.suspend', suspend) });
    expect(suspended.result).toMatchObject({ ok: true });
    expect((await h.userState(target.user!.id)).status).toBe('suspended');
    const suspendEvent = await successOf(suspended.correlationId, 'user.suspend');
    expect(suspendEvent).toMatchObject({ actorId: sa.user!.id, targetType: 'User', targetId: target.user!.id, reason: REASON });
    expect(JSON.parse(suspendEvent.details)).toMatchObject({ incident: { id: incident.id, number: incident.number }, stepUp: true });
    expect(await links(incident.id)).toContainEqual({
      kind: 'event',
      alertId: null,
      eventSeq: suspendEvent.seq,
      note: null,
      authorId: sa.user!.id,
    });

    // role.suspend for the incident (T20): a support agent's very next request is refused.
    const agent = await h.caller('support');
    const agentLater = await h.caller('support');
    expect((await h.call(agent, revokeOtherSessionsAction, {})).result).toMatchObject({ ok: true });
    const roleInput = { role: 'support', reason: REASON, incidentId: incident.id };
    const roleSuspended = await h.call(sa, suspendRoleAction, roleInput, { stepUpProof: await proof(sa, 'role.suspend', roleInput) });
    expect(roleSuspended.result).toMatchObject({ ok: true });
    const roleEvent = await successOf(roleSuspended.correlationId, 'role.suspend');
    expect(JSON.parse(roleEvent.details)).toMatchObject({ incident: { id: incident.id } });
    expect((await links(incident.id)).map((l) => l.eventSeq)).toContain(roleEvent.seq);
    expect((await h.call(agent, revokeOtherSessionsAction, {})).result).toMatchObject({ ok: false, code: 'UNAUTHENTICATED' });
    expect(await h.db.session.findUniqueOrThrow({ where: { id: agent.sessionId! }, select: { revokedReason: true } })).toEqual({
      revokedReason: 'role_suspended',
    });
    expect(await refusalFor('support', 'active')).toBe('role_suspended');
    // Reactivating (also for the incident) restores access.
    const reactivate = { role: 'support', reason: REASON, incidentId: incident.id };
    const reactivated = await h.call(sa, reactivateRoleAction, reactivate, { stepUpProof: await proof(sa, 'role.reactivate', reactivate) });
    expect(reactivated.result).toMatchObject({ ok: true });
    const reactivateEvent = await successOf(reactivated.correlationId, 'role.reactivate');
    expect((await links(incident.id)).map((l) => l.eventSeq)).toContain(reactivateEvent.seq);
    expect(await refusalFor('support', 'active')).toBeNull();
    expect((await h.call(agentLater, revokeOtherSessionsAction, {})).result).toMatchObject({ ok: true });

    // user.revoke_sessions for the incident, by an admin.
    const other = await h.caller('member');
    await h.signIn(other.user!);
    const revoke = { id: other.user!.id, reason: REASON, incidentId: incident.id };
    const revoked = await h.call(admin, revokeUserSessionsAction, revoke, {
      stepUpProof: await proof(admin, 'user.revoke_sessions', revoke),
    });
    expect(revoked.result).toMatchObject({ ok: true });
    expect(await h.liveSessions(other.user!.id)).toBe(0);
    const revokeEvent = await successOf(revoked.correlationId, 'user.revoke_sessions');
    expect(JSON.parse(revokeEvent.details)).toMatchObject({ incident: { id: incident.id } });
    expect(await links(incident.id)).toContainEqual({
      kind: 'event',
      alertId: null,
      eventSeq: revokeEvent.seq,
      note: null,
      authorId: admin.user!.id,
    });

    // A closed incident (or one that does not exist) cannot be acted for: nothing changes.
    const closed = await openAs(admin, { title: 'Already over' });
    expect((await h.call(admin, closeIncidentAction, { id: closed.id, ...REVIEW })).result).toEqual({ ok: true, data: null });
    const victim = await h.caller('member');
    const victimBefore = await h.userState(victim.user!.id);
    const linksBefore = await links(closed.id);
    for (const incidentId of [closed.id, 'no-such-incident']) {
      const input = { id: victim.user!.id, reason: REASON, incidentId };
      const refused = await h.call(sa, suspendUserAction, input, { stepUpProof: await proof(sa, 'user.suspend', input) });
      expect(refused.result).toMatchObject({ ok: false, code: 'CONFLICT' });
      expect((await h.eventsOf(refused.correlationId)).filter((e) => e.outcome === 'success')).toEqual([]);
    }
    expect(await h.userState(victim.user!.id)).toEqual(victimBefore);
    expect(await links(closed.id)).toEqual(linksBefore);

    // An auditor cannot contain anything, with or without an incident.
    const auditor = await h.caller('auditor');
    const incidentLinks = await links(incident.id);
    const byAuditor = { id: victim.user!.id, reason: REASON, incidentId: incident.id };
    const refused = await h.call(auditor, revokeUserSessionsAction, byAuditor, {
      stepUpProof: await proof(auditor, 'user.revoke_sessions', byAuditor),
    });
    expectRefused(refused.result);
    expect(await h.userState(victim.user!.id)).toEqual(victimBefore);
    expect(await links(incident.id)).toEqual(incidentLinks);
  });

  it('notes, linked alerts, status changes and the closing review build the timeline; a closed incident is sealed', async () => {
    const admin = await h.caller('admin');
    const sa = await h.caller('superadmin');
    const first = await newAlert();
    const second = await newAlert();
    const { id } = await openAs(admin, { alertId: first.id });

    expect((await h.call(admin, addIncidentNoteAction, { id, note: 'First look: one admin account.' })).result).toEqual({
      ok: true,
      data: null,
    });
    expect((await h.call(admin, addIncidentNoteAction, { id, note: '   ' })).result).toMatchObject({
      ok: false,
      code: 'VALIDATION',
      fieldErrors: { note: expect.any(Array) },
    });
    expect((await h.call(admin, linkIncidentAlertAction, { id, alertId: second.id })).result).toEqual({ ok: true, data: null });
    expect((await h.call(admin, linkIncidentAlertAction, { id, alertId: second.id })).result).toMatchObject({
      ok: false,
      code: 'CONFLICT',
    });
    expect((await h.call(admin, linkIncidentAlertAction, { id, alertId: 'no-such-alert' })).result).toMatchObject({
      ok: false,
      code: 'NOT_FOUND',
    });

    expect((await h.call(admin, setIncidentStatusAction, { id, status: 'contained', reason: REASON })).result).toEqual({
      ok: true,
      data: null,
    });
    expect((await incidentRow(id)).status).toBe('contained');
    expect((await h.call(admin, setIncidentStatusAction, { id, status: 'contained' })).result).toMatchObject({
      ok: false,
      code: 'CONFLICT',
    });
    // Someone else's change: on the admin's timeline, an event they may not read shows without its content.
    expect((await h.call(sa, setIncidentStatusAction, { id, status: 'open' })).result).toEqual({ ok: true, data: null });
    expect((await incidentRow(id)).status).toBe('open');
    expect((await h.call(admin, setIncidentStatusAction, { id, status: 'contained' })).result).toEqual({ ok: true, data: null });

    // Closing needs a real review.
    const short = await h.call(admin, closeIncidentAction, { id, whatHappened: 'short', impact: 'x', followUps: '' });
    expect(short.result).toMatchObject({
      ok: false,
      code: 'VALIDATION',
      fieldErrors: { whatHappened: expect.any(Array), impact: expect.any(Array), followUps: expect.any(Array) },
    });
    expect((await incidentRow(id)).status).toBe('contained');

    const before = await head();
    const closed = await h.call(admin, closeIncidentAction, { id, ...REVIEW });
    expect(closed.result).toEqual({ ok: true, data: null });
    const row = await incidentRow(id);
    expect(row).toMatchObject({
      status: 'closed',
      closedById: admin.user!.id,
      closedAt: expect.any(Date),
      closeHeadSeq: before.seq,
      closeHeadHash: before.hash,
      closeCheckpointSeq: null,
    });
    expect(JSON.parse(row.review!)).toEqual(REVIEW);
    const closeEvent = await successOf(closed.correlationId, 'incident.close');
    expect(closeEvent).toMatchObject({ seq: before.seq + 1, targetType: 'Incident', targetId: id });
    expect(JSON.parse(closeEvent.details)).toMatchObject({
      before: 'contained',
      after: 'closed',
      sealed: { headSeq: before.seq, headHash: before.hash, checkpointSeq: null },
    });

    // Closed: nothing more can be added or changed, by anyone.
    const third = await newAlert();
    const linksBefore = await links(id);
    for (const [action, input] of [
      [addIncidentNoteAction, { id, note: 'too late' }],
      [linkIncidentAlertAction, { id, alertId: third.id }],
      [setIncidentStatusAction, { id, status: 'open' }],
      [closeIncidentAction, { id, ...REVIEW }],
    ] as const) {
      for (const who of [admin, sa]) {
        const refused = await h.call(who, action as typeof addIncidentNoteAction, input);
        expectRefused(refused.result);
        expect((await h.eventsOf(refused.correlationId)).map((e) => e.outcome)).toEqual(['denied']);
      }
    }
    expect(await links(id)).toEqual(linksBefore);
    expect(await incidentRow(id)).toEqual(row);

    // The timeline, oldest first.
    const detail = (await h.as(admin, () => getIncident(h.viewerOf(admin), id)))!;
    expect(detail).toMatchObject({
      status: 'closed',
      review: REVIEW,
      closed: { headSeq: before.seq, headHash: before.hash, checkpointSeq: null },
      closedBy: { id: admin.user!.id },
      alerts: 2,
      canUpdate: false,
      canClose: false,
    });
    const shape = (d: typeof detail) =>
      d.timeline.map((e) =>
        e.kind === 'alert' ? ['alert', e.alert.id] : e.kind === 'note' ? ['note', e.note] : ['event', e.event?.operation ?? null],
      );
    expect(shape(detail)).toEqual([
      ['alert', first.id],
      ['event', 'incident.open'],
      ['note', 'First look: one admin account.'],
      ['event', 'incident.note'],
      ['alert', second.id],
      ['event', 'incident.link_alert'],
      ['event', 'incident.set_status'],
      // The superadmin's event: the admin reads only the trail of their own actions.
      ['event', null],
      ['event', 'incident.set_status'],
      ['event', 'incident.close'],
    ]);
    const events = detail.timeline.filter((e) => e.kind === 'event').map((e) => (e as { seq: number }).seq);
    expect(events).toEqual([...events].sort((a, b) => a - b));
    // An auditor reads every event of the timeline.
    const auditor = await h.caller('auditor');
    const seenByAuditor = (await h.as(auditor, () => getIncident(h.viewerOf(auditor), id)))!;
    expect(shape(seenByAuditor)[7]).toEqual(['event', 'incident.set_status']);
  });

  it('session.revoke_all: a superadmin ends every other session (other superadmins’ too) and keeps their own; an admin cannot', async () => {
    const sa = await h.caller('superadmin');
    const saElsewhere = await h.signIn(sa.user!);
    const otherSa = await h.caller('superadmin');
    const admin = await h.caller('admin');
    const member = await h.caller('member');
    const input = { reason: REASON };

    const byAdmin = await h.call(admin, revokeAllSessionsAction, input, {
      stepUpProof: await proof(admin, 'session.revoke_all', input),
    });
    expect(byAdmin.result).toMatchObject({ ok: false, code: 'FORBIDDEN' });
    expect((await h.eventsOf(byAdmin.correlationId)).map((e) => [e.operation, e.outcome])).toEqual([['session.revoke_all', 'denied']]);
    expect(await h.liveSessions(otherSa.user!.id)).toBe(1);

    const withoutProof = await h.call(sa, revokeAllSessionsAction, input);
    expect(withoutProof.result).toMatchObject({ ok: false, code: 'STEP_UP_REQUIRED' });
    expect(await h.liveSessions(otherSa.user!.id)).toBe(1);

    const live = await h.db.session.count({ where: { revokedAt: null } });
    const { result, correlationId } = await h.call(sa, revokeAllSessionsAction, input, {
      stepUpProof: await proof(sa, 'session.revoke_all', input),
    });
    expect(result).toEqual({ ok: true, data: { sessionsEnded: live - 1 } });
    expect(await h.db.session.findMany({ where: { revokedAt: null }, select: { id: true } })).toEqual([{ id: sa.sessionId }]);
    for (const c of [saElsewhere, otherSa, admin, member]) {
      expect(await h.db.session.findUniqueOrThrow({ where: { id: c.sessionId! }, select: { revokedReason: true } })).toEqual({
        revokedReason: 'revoked_globally',
      });
    }
    const event = await successOf(correlationId, 'session.revoke_all');
    expect(event).toMatchObject({ actorId: sa.user!.id, actorRole: 'superadmin', reason: REASON, targetType: null });
    expect(JSON.parse(event.details)).toMatchObject({ sessionsEnded: live - 1, stepUp: true });
    // The caller carries on; everyone else must sign in again.
    expect(await h.as(sa, () => getViewer())).toMatchObject({ userId: sa.user!.id, sessionId: sa.sessionId });
    expect((await h.call(otherSa, revokeOtherSessionsAction, {})).result).toMatchObject({ ok: false, code: 'UNAUTHENTICATED' });
  });

  it('lockdown: superadmin-only, read-only for everyone else, then signs them out and refuses their sign-in; lifting it restores', async () => {
    const sa = await h.caller('superadmin');
    const sa2 = await h.caller('superadmin');
    const admin = await h.caller('admin');
    const support = await h.caller('support');
    const lockdownEvents = () => h.db.auditEvent.findMany({ where: { operation: 'system.lockdown' }, orderBy: { seq: 'asc' } });
    const setBy = async (caller: Caller, input: { enabled: boolean; mode: 'read_only' | 'sign_out'; reason: string }) =>
      h.call(caller, setLockdownAction, input, { stepUpProof: await proof(caller, 'system.lockdown', input) });
    try {
      expect(await lockdownRow()).toBeNull();
      const on = { enabled: true, mode: 'read_only' as const, reason: REASON };

      // Only a superadmin, only with a step-up.
      const byAdmin = await setBy(admin, on);
      expect(byAdmin.result).toMatchObject({ ok: false, code: 'FORBIDDEN' });
      expect((await h.eventsOf(byAdmin.correlationId)).map((e) => [e.operation, e.outcome])).toEqual([['system.lockdown', 'denied']]);
      expect((await h.call(sa, setLockdownAction, on)).result).toMatchObject({ ok: false, code: 'STEP_UP_REQUIRED' });
      expect(await lockdownRow()).toBeNull();

      const turnedOn = await setBy(sa, on);
      expect(turnedOn.result).toEqual({ ok: true, data: { sessionsEnded: 0 } });
      expect(await lockdownRow()).toMatchObject({ enabled: true, mode: 'read_only', byId: sa.user!.id, reason: REASON });
      const onEvent = await successOf(turnedOn.correlationId, 'system.lockdown');
      expect(onEvent).toMatchObject({ actorId: sa.user!.id, targetType: 'SystemState', targetId: 'lockdown', reason: REASON });
      expect(JSON.parse(onEvent.details)).toMatchObject({
        before: { enabled: false, mode: null },
        after: { enabled: true, mode: 'read_only' },
        sessionsEnded: 0,
        stepUp: true,
      });
      // Turning it on again in the same mode is a conflict, not a second event.
      expect((await setBy(sa, on)).result).toMatchObject({ ok: false, code: 'CONFLICT' });

      // Read-only: an admin's change is refused even with a valid proof, audited with reasonCode lockdown.
      const target = await h.caller('member');
      const targetBefore = await h.userState(target.user!.id);
      const suspend = { id: target.user!.id, reason: REASON };
      const adminProof = await proof(admin, 'user.suspend', suspend);
      const refused = await h.call(admin, suspendUserAction, suspend, { stepUpProof: adminProof });
      expect(refused.result).toMatchObject({ ok: false, code: 'FORBIDDEN' });
      expect(await h.eventsOf(refused.correlationId)).toEqual([
        expect.objectContaining({ operation: 'user.suspend', outcome: 'denied', reasonCode: 'lockdown', actorId: admin.user!.id }),
      ]);
      expect(await h.userState(target.user!.id)).toEqual(targetBefore);
      expect(await h.db.stepUpProof.findUniqueOrThrow({ where: { tokenHash: hashToken(adminProof) }, select: { usedAt: true } })).toEqual({
        usedAt: null,
      });
      // They may still read, and sign in (read-only), and sign out.
      expect(await h.as(admin, () => getViewer())).toMatchObject({ userId: admin.user!.id });
      expect(await refusalFor('admin', 'active')).toBeNull();
      expect((await h.call(admin, signOutAction, {})).result).toEqual({ ok: true, data: null });
      expect(await h.liveSessions(admin.user!.id)).toBe(0);
      // A superadmin still acts.
      const bySa = await h.call(sa2, suspendUserAction, suspend, { stepUpProof: await proof(sa2, 'user.suspend', suspend) });
      expect(bySa.result).toMatchObject({ ok: true });
      expect((await h.userState(target.user!.id)).status).toBe('suspended');

      // Sign-out mode: every non-superadmin session ends now, new ones are refused, and so is sign-in.
      const admin2 = await h.caller('admin');
      const nonSuperadminLive = await h.db.session.count({ where: { revokedAt: null, user: { role: { not: 'superadmin' } } } });
      expect(nonSuperadminLive).toBeGreaterThan(0);
      const signOut = { enabled: true, mode: 'sign_out' as const, reason: REASON };
      const switched = await setBy(sa, signOut);
      expect(switched.result).toEqual({ ok: true, data: { sessionsEnded: nonSuperadminLive } });
      expect(await h.db.session.count({ where: { revokedAt: null, user: { role: { not: 'superadmin' } } } })).toBe(0);
      for (const c of [support, admin2]) {
        expect(await h.db.session.findUniqueOrThrow({ where: { id: c.sessionId! }, select: { revokedReason: true } })).toEqual({
          revokedReason: 'lockdown',
        });
      }
      expect(await h.liveSessions(sa.user!.id)).toBe(1);
      expect(await h.liveSessions(sa2.user!.id)).toBe(1);
      const switchEvent = await successOf(switched.correlationId, 'system.lockdown');
      expect(JSON.parse(switchEvent.details)).toMatchObject({
        before: { enabled: true, mode: 'read_only' },
        after: { enabled: true, mode: 'sign_out' },
        sessionsEnded: nonSuperadminLive,
      });
      // A session made after the switch (another instance, a race) is ended by the session check.
      const admin3 = await h.caller('admin');
      expect((await h.call(admin3, revokeOtherSessionsAction, {})).result).toMatchObject({ ok: false, code: 'UNAUTHENTICATED' });
      expect(await h.db.session.findUniqueOrThrow({ where: { id: admin3.sessionId! }, select: { revokedReason: true } })).toEqual({
        revokedReason: 'lockdown',
      });
      expect(await refusalFor('admin', 'active')).toBe('lockdown');
      expect(await refusalFor('support', 'active')).toBe('lockdown');
      expect(await refusalFor('superadmin', 'active')).toBeNull();
      expect(await h.as(sa, () => getViewer())).toMatchObject({ userId: sa.user!.id });

      // Lifting it restores everything.
      const off = { enabled: false, mode: 'read_only' as const, reason: REASON };
      const lifted = await setBy(sa2, off);
      expect(lifted.result).toEqual({ ok: true, data: { sessionsEnded: 0 } });
      expect(await lockdownRow()).toMatchObject({ enabled: false, mode: null, since: null, byId: sa2.user!.id });
      const offEvent = await successOf(lifted.correlationId, 'system.lockdown');
      expect(JSON.parse(offEvent.details)).toMatchObject({
        before: { enabled: true, mode: 'sign_out' },
        after: { enabled: false, mode: null },
      });
      expect((await setBy(sa2, off)).result).toMatchObject({ ok: false, code: 'CONFLICT' });
      expect(await refusalFor('admin', 'active')).toBeNull();
      const admin4 = await h.caller('admin');
      const member = await h.caller('member');
      const again = { id: member.user!.id, reason: REASON };
      expect(
        (await h.call(admin4, suspendUserAction, again, { stepUpProof: await proof(admin4, 'user.suspend', again) })).result,
      ).toMatchObject({ ok: true });

      // Every step audited.
      expect((await lockdownEvents()).map((e) => [e.outcome, e.actorId])).toEqual([
        ['denied', admin.user!.id],
        ['denied', sa.user!.id],
        ['success', sa.user!.id],
        ['success', sa.user!.id],
        ['success', sa2.user!.id],
      ]);
    } finally {
      await h.db.systemState.deleteMany({ where: { id: 'lockdown' } });
    }
  });

  it('the audit chain verifies after all of it', async () => {
    const chain = await verifyChain(h.db);
    expect(chain).toMatchObject({ ok: true, count: await h.db.auditEvent.count() });
  });
});

/**
 * The seal of an empty trail (a fresh installation's first incident) uses the
 * chain's own convention: head 0 and the genesis value every first event's
 * prevHash carries, so the seal can be compared with the chain like any other.
 */
describe.each(testProviders())('an incident opened on an empty audit trail on %s', (provider) => {
  let h: ActionHarness;

  beforeAll(async () => {
    h = await ActionHarness.create(provider, 'incidents-genesis');
  });
  afterAll(async () => {
    await h?.cleanup();
  });

  it('seals head 0 with the genesis hash', async () => {
    const admin = await h.caller('admin');
    expect(await h.db.auditEvent.count()).toBe(0);
    const { result, correlationId } = await h.call(admin, openIncidentAction, { title: 'The very first incident', severity: 'low' });
    expect(result).toEqual({ ok: true, data: { id: expect.any(String), number: 1 } });
    const { id } = (result as { ok: true; data: { id: string } }).data;
    const [opened] = await h.eventsOf(correlationId);
    expect(opened).toMatchObject({ seq: 1, prevHash: GENESIS_HASH, operation: 'incident.open' });
    expect(await h.db.incident.findUniqueOrThrow({ where: { id }, select: { openHeadSeq: true, openHeadHash: true } })).toEqual({
      openHeadSeq: 0,
      openHeadHash: GENESIS_HASH,
    });
    expect(JSON.parse(opened!.details)).toMatchObject({ sealed: { headSeq: 0, headHash: GENESIS_HASH, checkpointSeq: null } });
  });
});
