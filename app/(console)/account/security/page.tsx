import type { Metadata } from 'next';
import { PageHeader } from '@/components/ui/page-header';
import { mustEnrol, requireViewer } from '@/lib/auth/viewer';
import { getSecurityOverview } from '@/lib/dal/account-security';
import { PasskeysSection } from './_components/passkeys-section';
import { PasswordSection } from './_components/password-section';
import { RecoveryCodesSection } from './_components/recovery-codes-section';
import { Section } from './_components/section';
import { TotpSection } from './_components/totp-section';

export const metadata: Metadata = { title: 'Account security' };

const fmt = (d: Date | null) => (d ? `${d.toISOString().slice(0, 16).replace('T', ' ')} UTC` : null);

/** The viewer's second factors. Reachable before enrolment: it is where enrolment happens. */
export default async function SecurityPage() {
  const viewer = await requireViewer({ allowUnenrolled: true });
  const overview = await getSecurityOverview(viewer);
  const enrolling = mustEnrol(viewer);
  return (
    <>
      <PageHeader title="Account security" description="Your second factors. Adding or removing one asks you to confirm it’s you first." />
      {enrolling ? (
        <p role="alert" className="mb-4 rounded-lg bg-indigo-50 px-4 py-3 text-sm text-indigo-900 ring-1 ring-indigo-200">
          Set up a second factor to continue: an authenticator app, a passkey, or both. The rest of the console opens once one is set up.
        </p>
      ) : null}
      <div className="grid gap-4">
        <Section
          title="Passkeys"
          description="Sign in with your device’s screen lock or a security key. A passkey with a PIN or biometric counts as two factors."
        >
          <PasskeysSection
            enrolled={viewer.mfaEnrolled}
            passkeys={overview.passkeys.map((p) => ({ ...p, createdAt: fmt(p.createdAt) ?? '', lastUsedAt: fmt(p.lastUsedAt) }))}
          />
        </Section>
        <Section title="Authenticator app" description="A 6-digit code from an app such as 1Password, Google Authenticator or Aegis.">
          <TotpSection enabledAt={fmt(overview.totpEnabledAt)} setup={overview.totpSetup} enrolled={viewer.mfaEnrolled} />
        </Section>
        {viewer.mfaEnrolled ? (
          <Section title="Password" description="Changing it asks you to confirm it’s you, then checks your current password again.">
            <PasswordSection enrolled={viewer.mfaEnrolled} />
          </Section>
        ) : null}
        <Section
          title="Recovery codes"
          description="Single-use codes for when you lose your device. Keep them somewhere safe, away from your device."
        >
          <RecoveryCodesSection left={overview.recoveryCodesLeft} usedAt={fmt(overview.recoveryCodeUsedAt)} enrolled={viewer.mfaEnrolled} />
        </Section>
      </div>
    </>
  );
}
