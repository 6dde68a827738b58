import fs from 'node:fs';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { MULTI } from './env';
import { headSeq, multiDb, serverLog, setSharedClock, verifyTrail } from './helpers';

const MIN = 60_000;
/** How often each instance's checkpoint scheduler looks (CHECKPOINT_INTERVAL_MS, lib/audit/checkpoint-scheduler.ts). */
const CHECKPOINT_INTERVAL_MS = 30_000;

/** The seqs in the external checkpoint log both instances append to. */
function externalLogSeqs(): number[] {
  const file = path.join(MULTI.sharedEnv.WARDEN_AUDIT_CHECKPOINT_DIR!, 'checkpoints.jsonl');
  if (!fs.existsSync(file)) return [];
  return fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => (JSON.parse(l) as { seq: number }).seq);
}

test.describe('[MULTI] scheduled jobs run once across instances', () => {
  // Moves the shared clock forward for good: this spec runs last (the chain's timestamps never go back).
  test('a signed audit checkpoint that falls due on both instances at once is made once: one new checkpoint, one new line in the external log, and audit:verify accepts them all', async ({
    page,
    request,
  }) => {
    test.setTimeout(120_000);
    const db = await multiDb();

    // New events to cover: a failed sign-in on B (audited, like every sign-in attempt).
    await page.goto(`${MULTI.urls.b}/sign-in`);
    await page.getByLabel('Email').fill('nobody@multi.warden.test');
    await page.getByLabel('Password').fill('not the password of anyone here');
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await expect(page.locator('#sign-in-error')).toHaveText('The email or password is incorrect, or this account cannot sign in.');
    const eventSeq = await headSeq();
    const failed = await db.auditEvent.findUniqueOrThrow({ where: { seq: eventSeq }, select: { operation: true, outcome: true } });
    expect(failed).toEqual({ operation: 'auth.sign_in', outcome: 'failure' });

    // No run of this suite lasts the checkpoint interval, so no checkpoint covers the event yet.
    const last = await db.auditCheckpoint.findFirst({ orderBy: { seq: 'desc' }, select: { seq: true } });
    const lastSeq = last?.seq ?? 0;
    expect(lastSeq).toBeLessThan(eventSeq);
    const logBefore = externalLogSeqs();

    // Both instances read the same clock: move it past the interval, and a checkpoint is due on both.
    await setSharedClock(request, 'a', (MULTI.checkpointMinutes + 1) * MIN);
    const dueAt = Date.now();

    // Each instance's scheduler looks every CHECKPOINT_INTERVAL_MS; one of them makes it…
    await expect
      .poll(async () => (await db.auditCheckpoint.count({ where: { seq: { gte: eventSeq } } })) > 0, {
        timeout: CHECKPOINT_INTERVAL_MS + 10_000,
        intervals: [1000],
      })
      .toBe(true);
    // …and after both have looked at least once more, it is still the only one.
    await new Promise((r) => setTimeout(r, Math.max(0, dueAt + CHECKPOINT_INTERVAL_MS + 3_000 - Date.now())));

    const made = await db.auditCheckpoint.findMany({ where: { seq: { gt: lastSeq } }, orderBy: { seq: 'asc' }, select: { seq: true } });
    expect(made, 'one checkpoint for the period in which it fell due, not one per instance').toHaveLength(1);
    expect(made[0]!.seq).toBeGreaterThanOrEqual(eventSeq);

    // The external log got exactly that checkpoint, once.
    const logAfter = externalLogSeqs();
    expect(logAfter.slice(0, logBefore.length)).toEqual(logBefore);
    expect(logAfter.slice(logBefore.length)).toEqual([made[0]!.seq]);
    expect(new Set(logAfter).size).toBe(logAfter.length);

    // Neither instance's scheduler failed on the way (e.g. a second insert of the same checkpoint).
    for (const instance of ['a', 'b'] as const) {
      expect(serverLog(instance).filter((l) => l.includes('audit checkpoint failed'))).toEqual([]);
    }

    // The verifier checks the chain and every checkpoint, in the database and in the external log.
    const { exitCode, report } = verifyTrail();
    expect(exitCode, JSON.stringify(report)).toBe(0);
    expect(report.ok).toBe(true);
    const total = await db.auditCheckpoint.count();
    // Every checkpoint is in both places, and each copy verified.
    expect(report.checkpoints).toMatchObject({ database: total, external: total, verified: 2 * total });
  });
});
