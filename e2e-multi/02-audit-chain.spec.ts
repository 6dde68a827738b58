import { expect, test } from '@playwright/test';
import { callActionOn, createUserOn, headSeq, multiDb, signedInOn, verifyTrail, waitForMonitorCaughtUp, type Instance } from './helpers';

const OPERATIONS = 40;

test.describe('[MULTI] one audit chain across instances', () => {
  test(`${OPERATIONS} ticket comments sent at once, half to instance A and half to instance B, are each recorded once in one unbroken chain that audit:verify accepts`, async ({
    browser,
    playwright,
  }) => {
    const admin = await createUserOn('admin');
    const page = await signedInOn(browser, 'a', admin);
    // The same signed-in session, sending actions straight to both instances.
    const client = await playwright.request.newContext({ storageState: await page.context().storageState() });
    const db = await multiDb();
    const ticket = await db.ticket.findFirstOrThrow({ where: { status: 'open' }, orderBy: { number: 'asc' }, select: { id: true } });

    // Nothing but these operations may add events while they run: let the anomaly job finish with the sign-ins first
    // (it may raise an alert about one, an event of its own).
    await waitForMonitorCaughtUp();
    const fromSeq = await headSeq();
    const before = verifyTrail();
    expect(before.exitCode, JSON.stringify(before.report)).toBe(0);
    expect(before.report.headSeq).toBe(fromSeq);

    // Operation i writes a note of i characters, so each one can be found in the trail by its details.
    const replies = await Promise.all(
      Array.from({ length: OPERATIONS }, (_, i) => {
        const instance: Instance = i % 2 === 0 ? 'a' : 'b';
        return callActionOn(client, instance, 'commentOnTicketAction', [
          { ticketId: ticket.id, kind: 'internal', body: 'x'.repeat(i + 1) },
        ]).then((reply) => ({ instance, reply }));
      }),
    );
    for (const { instance, reply } of replies) expect(reply.ok, `instance ${instance}: ${reply.body.slice(0, 300)}`).toBe(true);

    // The verifier replays the whole chain: intact, and exactly OPERATIONS events longer.
    const after = verifyTrail();
    expect(after.exitCode, JSON.stringify(after.report)).toBe(0);
    expect(after.report.ok).toBe(true);
    expect(after.report.findings ?? []).toEqual([]);
    expect(after.report.count! - before.report.count!).toBe(OPERATIONS);
    expect(after.report.headSeq! - fromSeq).toBe(OPERATIONS);

    // The new events: seq fromSeq+1 … fromSeq+OPERATIONS with no gap and no duplicate, each linked to the one before,
    // and exactly one per operation (note lengths 1 … OPERATIONS).
    const events = await db.auditEvent.findMany({
      where: { seq: { gte: fromSeq } },
      orderBy: { seq: 'asc' },
      select: { seq: true, hash: true, prevHash: true, operation: true, outcome: true, details: true },
    });
    const added = events.slice(1);
    expect(added.map((e) => e.seq)).toEqual(Array.from({ length: OPERATIONS }, (_, i) => fromSeq + 1 + i));
    for (let i = 0; i < added.length; i++) expect(added[i]!.prevHash).toBe(events[i]!.hash);
    expect(new Set(added.map((e) => e.operation))).toEqual(new Set(['ticket.comment']));
    expect(added.every((e) => e.outcome === 'success')).toBe(true);
    const lengths = added.map((e) => (JSON.parse(e.details) as { chars: number }).chars).sort((x, y) => x - y);
    expect(lengths).toEqual(Array.from({ length: OPERATIONS }, (_, i) => i + 1));

    await client.dispose();
    await page.context().close();
  });
});
