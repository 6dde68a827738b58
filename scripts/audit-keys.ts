/**
 * `npm run audit:keys -- <init|rotate|show> [--out <file>]`: manages the Ed25519
 * key that signs audit checkpoints (docs/audit-chain-format.md, "Keys").
 *
 *   init     publish the configured key, or create one (--out, default
 *            var/audit/signing-key.pem) and the public-keys file on a fresh install
 *   rotate   with --approval <id> (two superadmins authorized it in the console,
 *            Audit trail → Integrity, within the last 24 hours; used once): write a
 *            new key to --out (never overwriting), close the old key's validUntil,
 *            publish the new one and record audit.key_rotate with the approval
 *   show     print the configured key id and the published keys
 *
 * Exit codes: 0 done, 1 failed, 2 usage error. Never prints key material.
 */
import './load-env';
import { parseArgs } from 'node:util';
import { initSigningKey, loadSigningKey, readPublicKeysIfAny, rotateSigningKey } from '@/lib/audit/signing-keys';
import { createDb, type Db } from '@/lib/db/client';
import { env } from '@/lib/env';

const USAGE = `usage: npm run audit:keys -- init [--out <private key file>]
       npm run audit:keys -- rotate --approval <approval request id> [--out <private key file>]
       npm run audit:keys -- show`;

async function main(argv: string[]): Promise<number> {
  let command: string | undefined;
  let out: string | undefined;
  let approval: string | undefined;
  try {
    const { values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      options: { out: { type: 'string' }, approval: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
    });
    if (values.help) {
      process.stdout.write(`${USAGE}\n`);
      return 0;
    }
    if (positionals.length !== 1) throw new Error('expected one command');
    command = positionals[0];
    out = values.out;
    approval = values.approval;
    if (command === 'rotate' && !approval) {
      throw new Error(
        'rotation needs a two-person authorization: a superadmin asks for it in the console (Audit trail → Integrity), a second one approves it; pass its id with --approval',
      );
    }
  } catch (error) {
    process.stderr.write(`audit keys: ${(error as Error).message}\n${USAGE}\n`);
    return 2;
  }

  const publicKeysFile = env().WARDEN_AUDIT_PUBLIC_KEYS_FILE;
  let db: Db | undefined;
  try {
    switch (command) {
      case 'init': {
        const result = initSigningKey({ out });
        if (result.privateKeyFile) {
          process.stdout.write(
            `created signing key ${result.keyId} in ${result.privateKeyFile} (mode 0600) and published it in ${publicKeysFile}\nset WARDEN_AUDIT_SIGNING_KEY_FILE=${result.privateKeyFile}\n`,
          );
        } else {
          process.stdout.write(
            result.published
              ? `published signing key ${result.keyId} in ${publicKeysFile}\n`
              : `signing key ${result.keyId} is already published in ${publicKeysFile}\n`,
          );
        }
        return 0;
      }
      case 'rotate': {
        db = (await createDb({ url: env().DATABASE_URL, poolSize: 2 })).db;
        const result = await rotateSigningKey(db, { out, approvalId: approval });
        process.stdout.write(
          `rotated at ${result.at}: key ${result.oldKeyId} closed, new key ${result.newKeyId} in ${result.privateKeyFile} (mode 0600), published in ${publicKeysFile}, recorded as audit.key_rotate\n` +
            `now set WARDEN_AUDIT_SIGNING_KEY_FILE=${result.privateKeyFile} and restart the server; until then no checkpoints can be made\n`,
        );
        return 0;
      }
      case 'show': {
        const key = loadSigningKey();
        process.stdout.write(`configured signing key: ${key ? `${key.keyId} (${key.source})` : 'none'}\n`);
        const keys = readPublicKeysIfAny(publicKeysFile);
        if (!keys) process.stdout.write(`no public-keys file at ${publicKeysFile}\n`);
        for (const k of keys?.keys ?? [])
          process.stdout.write(`published ${k.keyId}: valid from ${k.validFrom} until ${k.validUntil ?? '(open)'}\n`);
        return 0;
      }
      default:
        process.stderr.write(`audit keys: unknown command ${JSON.stringify(command)}\n${USAGE}\n`);
        return 2;
    }
  } catch (error) {
    const raw = error instanceof Error ? error.message : String(error);
    process.stderr.write(
      `audit keys: ${raw
        .split('\n')[0]
        ?.replace(/\/\/[^/@\s]*@/g, '//***@')
        .slice(0, 500)}\n`,
    );
    return 1;
  } finally {
    await db?.$disconnect().catch(() => undefined);
  }
}

process.exitCode = await main(process.argv.slice(2));
