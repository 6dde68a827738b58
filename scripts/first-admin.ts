/**
 * Creates the first superadmin of a fresh install.
 *   npm run setup:first-admin                                 (asks for everything)
 *   npm run setup:first-admin -- --email a@b.c --name "A B" --password-stdin < file
 * Refuses when a superadmin already exists. The password never appears in argv.
 */
import './load-env';
import { createInterface } from 'node:readline/promises';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { createFirstSuperadmin } from '@/lib/dal/bootstrap';
import { dbHandle } from '@/lib/db';
import { EmailSchema, NewPasswordSchema } from '@/lib/validation/auth';

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  return Buffer.concat(chunks)
    .toString('utf8')
    .replace(/\r?\n$/, '');
}

async function main() {
  const { values } = parseArgs({
    options: { email: { type: 'string' }, name: { type: 'string' }, 'password-stdin': { type: 'boolean' } },
  });
  const rl = values['password-stdin'] ? null : createInterface({ input: process.stdin, output: process.stdout });
  const email = values.email ?? (await rl?.question('Email: ')) ?? '';
  const name = values.name ?? (await rl?.question('Full name: ')) ?? '';
  let password: string;
  if (values['password-stdin']) password = await readStdin();
  else {
    console.log('Choose a password of at least 15 characters (a passphrase of several words works well).');
    password = (await rl?.question('Password (shown as you type; clear your terminal afterwards): ')) ?? '';
  }
  rl?.close();
  const parsed = z
    .object({ email: EmailSchema, name: z.string().trim().min(1, { error: 'Enter a name.' }).max(100), password: NewPasswordSchema })
    .safeParse({ email, name, password });
  if (!parsed.success) {
    for (const issue of parsed.error.issues) console.error(`${issue.path.join('.')}: ${issue.message}`);
    process.exit(2);
  }
  const user = await createFirstSuperadmin(parsed.data);
  console.log(`Superadmin ${user.email} created. Sign in at the console and enrol a second factor.`);
  await (await dbHandle()).db.$disconnect();
}

main().catch((error: unknown) => {
  console.error(`Could not create the superadmin: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
