import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createUser, e2eDb, expect, signIn, test } from '../fixtures';

test.describe('[AUDITOR] the audit trail can be checked without trusting the server', () => {
  test.setTimeout(120_000);

  test('[AUDITOR][VERIFY] verifies the trail in the console, downloads a bundle and the verifier, and proves the bundle offline', async ({
    page,
  }) => {
    const auditor = await createUser('auditor');
    await signIn(page, auditor);
    await page.goto('/audit/integrity');

    await page.getByRole('button', { name: 'Verify now' }).click();
    await expect(page.getByTestId('verify-result')).toContainText('Intact', { timeout: 60_000 });

    const work = fs.mkdtempSync(path.join(os.tmpdir(), 'warden-e2e-bundle-'));
    try {
      const verifierDownload = page.waitForEvent('download');
      await page.getByRole('link', { name: 'Download the standalone verifier' }).click();
      const verifier = path.join(work, 'warden-verify.mjs');
      await (await verifierDownload).saveAs(verifier);

      const form = page.getByRole('form', { name: 'Download an export bundle' });
      await form.getByLabel('From (seq or time)').fill('1');
      const bundleDownload = page.waitForEvent('download');
      await form.getByRole('button', { name: 'Download (.tar)' }).click();
      const tar = path.join(work, 'bundle.tar');
      await (await bundleDownload).saveAs(tar);
      const dir = path.join(work, 'bundle');
      fs.mkdirSync(dir);
      execFileSync('tar', ['-xf', tar, '-C', dir]);

      // Offline: only Node, the downloaded verifier, and the keys published out of band (here: the e2e key file).
      const output = execFileSync('node', [verifier, dir, '--keys', path.resolve('var/e2e/audit/public-keys.json')], { encoding: 'utf8' });
      expect(output).toMatch(/RESULT/);
      expect(output).not.toMatch(/FAILED/);
    } finally {
      fs.rmSync(work, { recursive: true, force: true });
    }

    const db = await e2eDb();
    const events = await db.auditEvent.findMany({
      where: { actorId: auditor.id, operation: { in: ['audit.verify', 'audit.export'] } },
      orderBy: { seq: 'asc' },
    });
    expect(events.map((e) => `${e.operation}:${e.outcome}`)).toEqual(['audit.verify:success', 'audit.export:success']);
  });
});
