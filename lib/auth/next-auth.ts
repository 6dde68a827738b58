import 'server-only';
import NextAuth, { CredentialsSignin, type NextAuthConfig } from 'next-auth';
import { decode } from 'next-auth/jwt';
import Credentials from 'next-auth/providers/credentials';
import { cookies } from 'next/headers';
import { z } from 'zod';
import { authSecret, isSecureOrigin } from '@/lib/env';
import { log } from '@/lib/log';
import { ABSOLUTE_LIFETIME_MS } from './session-policy';
import { exchangeTicket } from './session-issue';

/**
 * The only module that imports next-auth (house style 7).
 *
 * next-auth issues and clears the encrypted session cookie; it never decides who
 * is signed in. The cookie carries only `sid`, the session secret, and
 * requireViewer() checks the Session row, the user and the role on every request
 * (STACK-NOTES: Credentials means the JWT strategy; revocation works through the row).
 * No next-auth route handler is mounted: sign-in and sign-out run inside our
 * server actions, so next-auth's own pages and endpoints do not exist.
 */

/** `__Host-` on https (Secure, Path=/, no Domain: ASVS V3.3.1); a plain name on http://localhost. */
export function sessionCookieName(): string {
  return isSecureOrigin() ? '__Host-warden.session' : 'warden.session';
}

// next-auth adds its own fields (callbackUrl…) to what it passes on, so this is
// not strict; the only credential it ever sees is our one-time ticket.
const TicketSchema = z.object({ ticket: z.string().regex(/^[A-Za-z0-9_-]{43}$/) });

function config(): NextAuthConfig {
  const secure = isSecureOrigin();
  return {
    secret: authSecret(),
    // Only used to build next-auth's internal URLs; redirects are ours (lib/auth/redirect).
    trustHost: true,
    session: { strategy: 'jwt', maxAge: ABSOLUTE_LIFETIME_MS / 1000 },
    useSecureCookies: secure,
    cookies: {
      sessionToken: {
        name: sessionCookieName(),
        options: { httpOnly: true, sameSite: 'strict', path: '/', secure },
      },
    },
    providers: [
      Credentials({
        credentials: { ticket: {} },
        // The ticket is minted by our own sign-in flow after every factor was
        // verified (lib/auth/login-flow); authorize() only exchanges it.
        async authorize(raw) {
          const parsed = TicketSchema.safeParse(raw);
          if (!parsed.success) return null;
          const result = await exchangeTicket(parsed.data.ticket);
          return result ? { id: result.userId, sid: result.secret } : null;
        },
      }),
    ],
    callbacks: {
      // The token carries the session secret and nothing else: no name, email or
      // role (a JWT claim is never trusted for those).
      jwt({ token, user }) {
        if (user && 'sid' in user && typeof user.sid === 'string') return { sid: user.sid };
        return typeof token.sid === 'string' ? { sid: token.sid } : null;
      },
    },
    logger: {
      error(error) {
        if (error instanceof CredentialsSignin) return;
        log.warn({ err: { name: error.name, message: error.message } }, 'next-auth error');
      },
      warn(code) {
        log.warn({ code }, 'next-auth warning');
      },
      debug() {},
    },
  };
}

const nextAuth = NextAuth(() => config());

/**
 * Sets the session cookie for a verified ticket (a new session, or a new secret
 * for the current one). Returns false if the ticket was refused.
 */
export async function establishSession(ticket: string): Promise<boolean> {
  try {
    await nextAuth.signIn('credentials', { ticket, redirect: false });
    return true;
  } catch (error) {
    if (error instanceof CredentialsSignin) return false;
    throw error;
  }
}

/** Clears the session cookie. The caller revokes the Session row first. */
export async function clearSessionCookie(): Promise<void> {
  await nextAuth.signOut({ redirect: false });
  (await cookies()).delete(sessionCookieName());
}

/** The session secret from the request's cookie, or null if absent, expired or forged. */
export async function readSessionSecret(): Promise<string | null> {
  const name = sessionCookieName();
  const value = (await cookies()).get(name)?.value;
  if (!value || value.length > 4096) return null;
  try {
    const token = await decode({ token: value, secret: authSecret(), salt: name });
    return token && typeof token.sid === 'string' && token.sid.length === 43 ? token.sid : null;
  } catch {
    return null;
  }
}
