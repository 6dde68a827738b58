import type { BrowserContext, Page } from '@playwright/test';
import { auditEventsFor, createUser, e2eDb, expect, signIn, test } from '../fixtures';

/** The documented limit (policies/authentication.ts maxLiveSessionsPerUser; docs/operators.md "Session limit"). */
const LIMIT = 5;

test.describe('[AUTH] concurrent session limit', () => {
  // Six sign-ins with an authenticator code each: the codes of one 30-second step are used once,
  // so some sign-ins wait for the next step.
  test.setTimeout(180_000);

  test('T22 a sixth browser signing in as the same person ends the oldest session: that browser is signed out on its next navigation, the others stay, and it is audited', async ({
    browser,
  }) => {
    const auditor = await createUser('auditor');
    const db = await e2eDb();
    const contexts: BrowserContext[] = [];
    const pages: Page[] = [];
    for (let i = 0; i <= LIMIT; i += 1) {
      const context = await browser.newContext();
      const page = await context.newPage();
      contexts.push(context);
      pages.push(page);
    }

    // The first browser signs in; its session is the oldest.
    await signIn(pages[0]!, auditor);
    const first = await db.session.findFirstOrThrow({ where: { userId: auditor.id }, orderBy: { createdAt: 'asc' } });
    // Four more: the limit is reached, nobody is signed out.
    for (let i = 1; i < LIMIT; i += 1) await signIn(pages[i]!, auditor);
    expect(await db.session.count({ where: { userId: auditor.id, revokedAt: null } })).toBe(LIMIT);
    await pages[0]!.goto('/account/sessions');
    await expect(pages[0]!.getByTestId('session-row')).toHaveCount(LIMIT);

    // The sixth sign-in succeeds…
    await signIn(pages[LIMIT]!, auditor);
    expect(await db.session.count({ where: { userId: auditor.id, revokedAt: null } })).toBe(LIMIT);
    const ended = await db.session.findUniqueOrThrow({ where: { id: first.id } });
    expect(ended.revokedReason).toBe('session_limit');
    expect(ended.revokedAt).not.toBeNull();

    // …and the first browser is signed out on its next navigation.
    await pages[0]!.goto('/account/sessions');
    await expect(pages[0]!).toHaveURL(/\/sign-in/);
    // The second (now the oldest) and the newest are still signed in; the list shows five sessions.
    await pages[1]!.goto('/account/sessions');
    await expect(pages[1]!.getByTestId('session-row')).toHaveCount(LIMIT);
    await pages[LIMIT]!.goto('/account/sessions');
    const rows = pages[LIMIT]!.getByTestId('session-row');
    await expect(rows).toHaveCount(LIMIT);
    await expect(pages[LIMIT]!.locator(`[data-session-id="${first.id}"]`)).toHaveCount(0);

    // One audit event: session.end of the first session, reason session_limit.
    const limitEnds = (await auditEventsFor(auditor.id)).filter((e) => e.operation === 'session.end' && e.reasonCode === 'session_limit');
    expect(limitEnds).toHaveLength(1);
    expect(limitEnds[0]).toMatchObject({ outcome: 'success', targetType: 'Session', targetId: first.id, actorId: auditor.id });

    for (const c of contexts) await c.close();
  });
});
