/**
 * npm run db:seed -- --demo   seeds the demo organisation (idempotent) and prints its credentials.
 * npm run db:seed             seeds nothing: a real install has no default accounts;
 *                             create the first superadmin with `npm run setup:first-admin`.
 */
import './load-env';
import { DEMO_PASSWORD, seedDemo } from '@/lib/dal/bootstrap';
import { demoTotpSecret } from '@/lib/demo-totp';
import { dbHandle } from '@/lib/db';

async function main() {
  if (!process.argv.includes('--demo')) {
    console.log('Nothing seeded: Warden has no default accounts. Create the first superadmin with `npm run setup:first-admin`,');
    console.log('or seed the demo organisation with `npm run db:seed -- --demo`.');
    return;
  }
  const result = await seedDemo();
  console.log(
    result.seeded
      ? `Demo organisation seeded: ${result.staff.length} console accounts, ${result.members} members.`
      : 'Demo data already present; nothing changed.',
  );
  console.log('\nDemo console accounts (password for all: ' + DEMO_PASSWORD + '; add the TOTP secret to an authenticator app):');
  for (const s of result.staff) console.log(`  ${s.role.padEnd(11)} ${s.email.padEnd(30)} TOTP ${demoTotpSecret(s.email)}`);
  if (result.seeded) {
    console.log('\nRecovery codes (shown once; each works once):');
    for (const [email, codes] of Object.entries(result.recoveryCodes)) console.log(`  ${email.padEnd(30)} ${codes.join(' ')}`);
  }
  await (await dbHandle()).db.$disconnect();
}

main().catch((error: unknown) => {
  console.error(`Seeding failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
