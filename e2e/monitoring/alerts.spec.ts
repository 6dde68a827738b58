import { createHmac, randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { sealSecret } from '../../lib/auth/secret-box';
import { addPasskey, callAction, passkeyStepUpProof } from '../actions';
import { createUser, e2eDb, expect, signIn, test, verifyAuditChain } from '../fixtures';

interface Delivery {
  headers: http.IncomingHttpHeaders;
  body: string;
}

/**
 * Issue 9: a superadmin learns of a mass permission change within a minute,
 * contains it in one confirmed step, and the incident record reconstructs the
 * story. One admin changes six roles in under a minute (each change confirmed
 * with a passkey, as the console does); the scheduled evaluation raises one
 * alert that names the admin and links the six events; a superadmin opens an
 * incident from it and suspends the admin role from the incident page (step-up,
 * reason); the admin's open browser is refused on its next action (T20); the
 * incident's timeline holds the alert, its events and the containment; the
 * alert is acknowledged and resolved (audited); and a webhook receiver on this
 * machine gets the alert, signed with the configured secret.
 */
test('T20 [MONITORING] six role changes in a minute by one admin raise an alert within a minute; a superadmin opens an incident, suspends the admin role and the admin is locked out; the webhook got a signed payload', async ({
  page,
  browser,
}) => {
  test.setTimeout(180_000);
  const db = await e2eDb();

  // A webhook receiver, configured as the alert webhook (written directly: test setup, restored below).
  const deliveries: Delivery[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      deliveries.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const secret = randomBytes(32).toString('base64url');
  const at = new Date();
  const settings = [
    { key: 'alerts.webhook_url', tier: 'sensitive', value: JSON.stringify(`http://127.0.0.1:${port}/warden`), secretEnc: null },
    { key: 'alerts.webhook_secret', tier: 'sensitive', value: null, secretEnc: sealSecret(secret, 'config:alerts.webhook_secret') },
  ];
  for (const s of settings) {
    await db.configEntry.upsert({
      where: { key: s.key },
      create: { ...s, fingerprint: null, version: 0, updatedAt: at },
      update: { value: s.value, secretEnc: s.secretEnc },
    });
  }

  try {
    const admin = await createUser('admin');
    const members = await Promise.all(Array.from({ length: 6 }, () => createUser('member')));
    await signIn(page, admin);
    await addPasskey(page, admin);
    const started = Date.now();
    for (const member of members) {
      const input = { id: member.id, role: 'support', reason: 'Support rota for the weekend' };
      const proof = await passkeyStepUpProof(page.request, page, 'user.role_change', input);
      const reply = await callAction(page.request, 'changeUserRoleAction', [input, { stepUpProof: proof }]);
      expect(reply.ok, reply.body.slice(0, 200)).toBe(true);
    }
    const changed = Date.now();
    expect(changed - started, 'the six changes fit in one minute').toBeLessThan(60_000);

    // A superadmin sees it in Alerts within a minute of the last change.
    const superadmin = await createUser('superadmin');
    const sa = await browser.newContext();
    const saPage = await sa.newPage();
    await signIn(saPage, superadmin);
    let alertId: string | null = null;
    await expect
      .poll(
        async () => {
          const row = await db.alert.findFirst({ where: { rule: 'privilege.mass_change', actorId: admin.id }, select: { id: true } });
          alertId = row?.id ?? null;
          return alertId;
        },
        { timeout: 60_000, intervals: [2_000] },
      )
      .not.toBeNull();
    expect(Date.now() - changed).toBeLessThan(60_000);
    await saPage.goto('/alerts');
    const link = saPage.getByRole('link', { name: /Mass privilege changes/ }).first();
    await expect(link).toBeVisible();
    await expect(saPage.getByRole('navigation', { name: 'Console' }).getByRole('link', { name: /^Alerts, \d+ open$/ })).toBeVisible();
    await saPage.goto(`/alerts/${alertId}`);
    await expect(saPage.getByRole('heading', { level: 1, name: 'Mass privilege changes' })).toBeVisible();
    await expect(saPage.getByText(admin.name).first()).toBeVisible();
    const alert = await db.alert.findUniqueOrThrow({ where: { id: alertId! } });
    const changes = await db.auditEvent.findMany({
      where: { operation: 'user.role_change', actorId: admin.id, outcome: 'success' },
      orderBy: { seq: 'asc' },
      select: { seq: true },
    });
    expect(changes).toHaveLength(6);
    expect(JSON.parse(alert.eventSeqs)).toEqual(changes.map((c) => c.seq));
    expect(alert).toMatchObject({ severity: 'critical', status: 'open', dedupeKey: `actor:${admin.id}` });
    for (const c of changes) await expect(saPage.getByRole('link', { name: String(c.seq), exact: true }).first()).toBeVisible();
    await saPage.screenshot({ path: 'test-results/screens/alert-detail.png', fullPage: true });

    // Contain it in one confirmed step: an incident from the alert, then the admin role suspended from the incident page.
    await addPasskey(saPage, superadmin);
    await saPage.goto(`/alerts/${alertId}`);
    await saPage.getByRole('button', { name: 'Open incident', exact: true }).click();
    const opening = saPage.getByRole('dialog');
    await opening.getByRole('button', { name: 'Create incident' }).click();
    await expect(saPage).toHaveURL(/\/incidents\/[A-Za-z0-9_-]+$/);
    const incidentId = new URL(saPage.url()).pathname.split('/').pop()!;
    await saPage.getByRole('button', { name: 'Suspend the admin role' }).click();
    const containing = saPage.getByRole('dialog');
    await containing.getByLabel(/^Reason/).fill('Contain the mass role change until the admin is reached');
    await containing.getByRole('button', { name: 'Suspend role' }).click();
    await expect(saPage.getByTestId('containment-outcome')).toContainText('Suspended the admin role');
    expect((await db.roleState.findUniqueOrThrow({ where: { role: 'admin' } })).suspended).toBe(true);

    // The admin's open browser is locked out on its next action and its next page.
    const afterwards = await callAction(page.request, 'changeUserRoleAction', [{ id: members[0]!.id, role: 'member', reason: 'one more' }]);
    expect(afterwards.code).toBe('UNAUTHENTICATED');
    await page.goto('/users');
    await expect(page).toHaveURL(/\/sign-in/);

    // The incident reconstructs the story from the trail: the alert (with its six events), the opening, the containment.
    await saPage.reload();
    const timeline = saPage.getByTestId('timeline-entry');
    await expect(timeline.filter({ hasText: 'Mass privilege changes' })).toHaveCount(1);
    for (const c of changes) await expect(saPage.getByRole('link', { name: `Audit event #${c.seq}` }).first()).toBeVisible();
    const links = await db.incidentLink.findMany({
      where: { incidentId },
      orderBy: { createdAt: 'asc' },
      select: { kind: true, alertId: true, eventSeq: true },
    });
    const linkedEvents = await db.auditEvent.findMany({
      where: { seq: { in: links.filter((l) => l.eventSeq !== null).map((l) => l.eventSeq!) } },
      orderBy: { seq: 'asc' },
      select: { operation: true, actorId: true },
    });
    expect(links.filter((l) => l.kind === 'alert').map((l) => l.alertId)).toEqual([alertId]);
    expect(linkedEvents).toEqual([
      { operation: 'incident.open', actorId: superadmin.id },
      { operation: 'role.suspend', actorId: superadmin.id },
    ]);
    const incident = await db.incident.findUniqueOrThrow({ where: { id: incidentId } });
    const headBefore = await db.auditEvent.findUniqueOrThrow({ where: { seq: incident.openHeadSeq } });
    expect(incident.openHeadHash).toBe(headBefore.hash);
    await saPage.screenshot({ path: 'test-results/screens/incident.png', fullPage: true });

    // Acknowledge, then resolve with a reason: both audited.
    await saPage.goto(`/alerts/${alertId}`);
    await saPage.getByRole('button', { name: 'Acknowledge', exact: true }).click();
    const ack = saPage.getByRole('dialog');
    await ack
      .getByLabel(/Reason|Note/)
      .first()
      .fill('Looking into it with the admin');
    await ack.getByRole('button', { name: /Acknowledge/ }).click();
    await expect(ack).toBeHidden();
    await saPage.getByRole('button', { name: 'Resolve', exact: true }).click();
    const resolve = saPage.getByRole('dialog');
    await resolve
      .getByLabel(/Reason/)
      .first()
      .fill('Planned weekend rota change, confirmed with the admin');
    await resolve.getByRole('button', { name: /Resolve/ }).click();
    await expect(resolve).toBeHidden();
    expect(await db.alert.findUniqueOrThrow({ where: { id: alertId! } })).toMatchObject({
      status: 'resolved',
      acknowledgedById: superadmin.id,
      resolvedById: superadmin.id,
      resolveNote: 'Planned weekend rota change, confirmed with the admin',
    });
    const handled = await db.auditEvent.findMany({
      where: { targetType: 'Alert', targetId: alertId! },
      orderBy: { seq: 'asc' },
      select: { operation: true, actorId: true, outcome: true },
    });
    expect(handled).toEqual([
      { operation: 'alert.raise', actorId: null, outcome: 'success' },
      { operation: 'alert.acknowledge', actorId: superadmin.id, outcome: 'success' },
      { operation: 'alert.resolve', actorId: superadmin.id, outcome: 'success' },
    ]);
    await sa.close();

    // The receiver got the alert, signed with the secret over "timestamp.body".
    await expect
      .poll(() => deliveries.find((d) => (JSON.parse(d.body) as { id?: string }).id === alertId), { timeout: 45_000 })
      .toBeTruthy();
    const delivery = deliveries.find((d) => (JSON.parse(d.body) as { id?: string }).id === alertId)!;
    const timestamp = String(delivery.headers['x-warden-timestamp']);
    const expected = `sha256=${createHmac('sha256', secret).update(`${timestamp}.${delivery.body}`).digest('hex')}`;
    expect(delivery.headers['x-warden-signature']).toBe(expected);
    expect(JSON.parse(delivery.body)).toMatchObject({
      type: 'warden.alert.v1',
      id: alertId,
      rule: 'privilege.mass_change',
      severity: 'critical',
    });
    expect(verifyAuditChain().code).toBe(0);
  } finally {
    // The admin role back in service (test cleanup, so the rest of the suite can use admins).
    await db.roleState.updateMany({ where: { role: 'admin' }, data: { suspended: false, suspendedAt: null } });
    // Back to no webhook, so the rest of the suite delivers nothing.
    for (const s of settings) await db.configEntry.update({ where: { key: s.key }, data: { value: null, secretEnc: null } });
    await new Promise((resolve) => server.close(resolve));
  }
});
