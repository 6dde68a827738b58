import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createUser, e2eDb, expect, freshTotpCode, signIn, test } from '../fixtures';
import { E2E } from '../env';

/**
 * Issue 13, witness cosigning: an auditor makes a witness key with the shipped tool,
 * registers it through the Integrity page (reason + TOTP step-up), cosigns the newest
 * checkpoint offline and uploads the cosignature; the page then shows the checkpoint
 * as witnessed. A tampered upload is refused with its reason, and nothing is stored.
 */
const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../..');
const TOOL = path.join(root, 'tools/warden-witness.mjs');

test.describe('[AUDITOR][WITNESS] an auditor-held witness cosigns checkpoints', () => {
  test.setTimeout(120_000);

  test('[AUDITOR][WITNESS] registers a witness key with a step-up, uploads a cosignature and sees the checkpoint witnessed', async ({
    page,
  }) => {
    // A checkpoint of the current head, made the way the operator's CLI makes one (same database and key as the server).
    execFileSync('npx', ['tsx', '--conditions=react-server', 'scripts/audit-checkpoint.ts'], {
      cwd: root,
      env: { ...process.env, ...E2E.serverEnv },
      stdio: 'pipe',
    });

    const work = fs.mkdtempSync(path.join(os.tmpdir(), 'warden-e2e-witness-'));
    try {
      const keygen = execFileSync('node', [TOOL, 'keygen', '--out', path.join(work, 'key')], { encoding: 'utf8' });
      const publicKey = /public key:\s+(\S+)/.exec(keygen)![1]!;
      const keyId = /witness key id:\s+([0-9a-f]{16})/.exec(keygen)![1]!;

      const auditor = await createUser('auditor');
      await signIn(page, auditor);
      await page.goto('/audit/integrity');
      const witnesses = page.getByRole('region', { name: 'Witnesses' });
      await expect(witnesses).toBeVisible();

      // Register: name and key in the form, the reason in the operation dialog, then the step-up.
      const form = witnesses.getByRole('form', { name: 'Register a witness key' });
      await form.getByLabel('Name').fill('E2E audit firm laptop');
      await form.getByLabel(/^Public key/).fill(publicKey);
      await form.getByRole('button', { name: 'Register witness key' }).click();
      const dialog = page.getByRole('dialog', { name: 'Register a witness key' });
      await dialog.getByLabel(/^Reason/).fill('External audit witness for the e2e run');
      await dialog.getByRole('button', { name: 'Register witness key' }).click();
      const stepUp = page.getByRole('dialog', { name: 'Confirm it’s you' });
      await stepUp.getByLabel('Authenticator code').fill(await freshTotpCode(auditor));
      await stepUp.getByRole('button', { name: 'Confirm' }).click();
      await expect(witnesses.getByRole('status').first()).toContainText(`Witness key ${keyId} registered`);
      await expect(witnesses.getByTestId(`witness-${keyId}`)).toContainText('E2E audit firm laptop');
      await expect(witnesses.getByTestId(`witness-${keyId}`)).toContainText('active');

      // Cosign the newest checkpoint offline with the tool, against the published keys.
      const checkpointJson = await witnesses.getByTestId('newest-checkpoint-json').inputValue();
      const checkpointFile = path.join(work, 'checkpoint.json');
      fs.writeFileSync(checkpointFile, checkpointJson);
      const cosignature = execFileSync(
        'node',
        [
          TOOL,
          'cosign',
          '--key',
          path.join(work, 'key/witness-key.pem'),
          '--checkpoint',
          checkpointFile,
          '--server-keys',
          E2E.serverEnv.WARDEN_AUDIT_PUBLIC_KEYS_FILE!,
        ],
        { encoding: 'utf8' },
      ).trim();
      const seq = (JSON.parse(checkpointJson) as { seq: number }).seq;

      // A tampered copy is refused, with the reason.
      const upload = witnesses.getByRole('form', { name: 'Upload a cosignature' });
      const tampered = cosignature.replace(/"ts":"([^"]+)"/, (_m, ts: string) => `"ts":"${new Date(Date.parse(ts) - 1000).toISOString()}"`);
      await upload.getByLabel(/^Cosignature/).fill(tampered);
      await upload.getByRole('button', { name: 'Verify and record' }).click();
      await expect(upload.getByTestId('cosignature-result')).toContainText('Refused:');
      await expect(upload.getByTestId('cosignature-result')).toContainText('does not verify');

      await upload.getByLabel(/^Cosignature/).fill(cosignature);
      await upload.getByRole('button', { name: 'Verify and record' }).click();
      await expect(upload.getByTestId('cosignature-result')).toContainText(
        `Verified and recorded: checkpoint seq ${seq} is cosigned by witness ${keyId}`,
      );

      await page.reload();
      await expect(page.getByTestId('witness-status')).toContainText('witnessed');
      await expect(page.getByTestId('witness-status')).toContainText(`seq ${seq}`);
      await expect(page.getByTestId('witness-latest')).toContainText(keyId);

      const db = await e2eDb();
      const rows = await db.checkpointCosignature.findMany({ where: { witnessKeyId: keyId } });
      expect(rows.map((r) => r.checkpointSeq)).toEqual([seq]);
      const events = await db.auditEvent.findMany({
        where: { actorId: auditor.id, operation: { in: ['witness.register', 'checkpoint.cosign'] } },
        orderBy: { seq: 'asc' },
      });
      expect(events.map((e) => `${e.operation}:${e.outcome}`)).toEqual(['witness.register:success', 'checkpoint.cosign:success']);
    } finally {
      fs.rmSync(work, { recursive: true, force: true });
    }
  });
});
