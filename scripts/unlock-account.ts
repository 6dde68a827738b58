/**
 * Unlocks an account locked by failed sign-ins (audited as user.unlock):
 *   npm run account:unlock -- --email someone@example.com --reason "ticket #123, identity verified by phone"
 */
import './load-env';
import { parseArgs } from 'node:util';
import { unlockAccountByEmail } from '@/lib/dal/bootstrap';
import { dbHandle } from '@/lib/db';
import { EmailSchema } from '@/lib/validation/auth';

async function main() {
  const { values } = parseArgs({ options: { email: { type: 'string' }, reason: { type: 'string' } } });
  const email = EmailSchema.safeParse(values.email ?? '');
  const reason = (values.reason ?? '').trim();
  if (!email.success || reason.length < 5) {
    console.error('Usage: npm run account:unlock -- --email <address> --reason "<why, at least 5 characters>"');
    process.exit(2);
  }
  const found = await unlockAccountByEmail(email.data, reason.slice(0, 2000));
  console.log(found ? `Unlocked ${email.data}; the failure counter is reset.` : `No account with the email ${email.data}.`);
  await (await dbHandle()).db.$disconnect();
  process.exit(found ? 0 : 1);
}

main().catch((error: unknown) => {
  console.error(`Could not unlock: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
