import { NextResponse, type NextRequest } from 'next/server';
import { isHttpsOrigin, newNonce, responseSecurityHeaders } from '@/lib/security/csp';

/**
 * Runs before every request except static assets (Node.js runtime, Next 16).
 *
 * 1. A per-request Content-Security-Policy with a fresh 128-bit nonce
 *    (lib/security/csp.ts), set on the response and on the request Next renders
 *    from: Next reads the nonce from the request's policy and puts it on its own
 *    scripts (SECURITY.md T39). With it: Reporting-Endpoints, Cache-Control:
 *    no-store, and HSTS when APP_URL is https.
 * 2. An optimistic redirect only: on a protected path, a visitor with no session
 *    cookie at all is sent to the sign-in page before any rendering. It is never
 *    the security boundary (CVE-2025-29927 class): every page and action resolves
 *    the viewer from the database itself.
 */
export function proxy(request: NextRequest) {
  const https = isHttpsOrigin(process.env.APP_URL);
  const nonce = newNonce();
  const security = responseSecurityHeaders({
    nonce,
    dev: process.env.NODE_ENV === 'development',
    https,
    appOrigin: appOrigin(request),
  });

  if (isProtectedPath(request.nextUrl.pathname) && !hasSessionCookie(request)) {
    const url = request.nextUrl.clone();
    url.pathname = '/sign-in';
    url.search = '';
    const back = request.nextUrl.pathname + request.nextUrl.search;
    if (back !== '/') url.searchParams.set('callbackUrl', back);
    return withHeaders(NextResponse.redirect(url), security);
  }

  // Next renders with these request headers: it takes the nonce from this policy.
  // A client's own Content-Security-Policy or x-nonce request header is replaced.
  const forwarded = new Headers(request.headers);
  forwarded.set('content-security-policy', security['Content-Security-Policy']!);
  forwarded.set('x-nonce', nonce);
  return withHeaders(NextResponse.next({ request: { headers: forwarded } }), security);
}

function withHeaders(response: NextResponse, headers: Record<string, string>): NextResponse {
  for (const [name, value] of Object.entries(headers)) response.headers.set(name, value);
  return response;
}

function hasSessionCookie(request: NextRequest): boolean {
  return request.cookies.has('warden.session') || request.cookies.has('__Host-warden.session');
}

/**
 * The pages behind sign-in, where a cookie-less visitor is redirected: every
 * path except the public pages (sign-in, invitation acceptance, password reset),
 * API routes, Next's own paths and static files. (This was the proxy's whole
 * matcher before it also set the CSP; the redirect behaviour is unchanged.)
 */
const PUBLIC_PATH = /^\/(?:sign-in|invite|reset-password|api\/|_next\/|favicon\.ico|.*\.(?:png|svg|ico|txt)$)/;
function isProtectedPath(pathname: string): boolean {
  return !PUBLIC_PATH.test(pathname);
}

/** The configured public origin (APP_URL) for the report endpoint; the request's own origin only if APP_URL is unset or broken. */
function appOrigin(request: NextRequest): string {
  try {
    return new URL(process.env.APP_URL ?? '').origin;
  } catch {
    return request.nextUrl.origin;
  }
}

export const config = {
  // Everything except static assets, which need no policy (a CSP applies to the
  // document, and /_next/static files are immutable and public) — API routes and
  // the public pages included, so every document and API answer carries the CSP.
  matcher: ['/((?!_next/static/|_next/image|favicon\\.ico$|.*\\.(?:png|svg|ico|txt)$).*)'],
};
