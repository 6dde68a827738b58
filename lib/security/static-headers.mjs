/**
 * The security headers that do not change per request, for next.config.mjs
 * headers() (every response, static assets included). Plain JavaScript because
 * next.config.mjs loads it directly; typed by static-headers.d.mts.
 *
 * The Content-Security-Policy is not here: it carries a per-request nonce, so
 * proxy.ts sets it (lib/security/csp.ts), together with Cache-Control: no-store
 * and, at run time, HSTS. Static assets under /_next/static need no CSP (a
 * policy governs the document that loads them, not the file itself).
 *
 * next.config's headers() is evaluated when the app is built (they are written
 * to the routes manifest), so the HSTS here follows the APP_URL of the build;
 * proxy.ts sends HSTS from the APP_URL of the running server on every page,
 * API answer and redirect, which is what browsers need.
 */

/** HSTS: one year, subdomains included (same value as lib/security/csp.ts HSTS_VALUE). */
const HSTS = 'max-age=31536000; includeSubDomains';

/**
 * @param {{ appUrl?: string | undefined }} options APP_URL (HSTS only when it is https)
 * @returns {{ key: string, value: string }[]}
 */
export function staticSecurityHeaders({ appUrl }) {
  /** @type {{ key: string, value: string }[]} */
  const headers = [
    { key: 'X-Content-Type-Options', value: 'nosniff' },
    { key: 'Referrer-Policy', value: 'same-origin' },
    // For browsers without CSP frame-ancestors; the policy from proxy.ts says the same.
    { key: 'X-Frame-Options', value: 'DENY' },
    { key: 'Cross-Origin-Opener-Policy', value: 'same-origin' },
    { key: 'Permissions-Policy', value: 'camera=(), microphone=(), geolocation=(), payment=()' },
  ];
  if (isHttps(appUrl)) headers.push({ key: 'Strict-Transport-Security', value: HSTS });
  return headers;
}

/** @param {string | undefined} appUrl */
function isHttps(appUrl) {
  if (!appUrl) return false;
  try {
    return new URL(appUrl).protocol === 'https:';
  } catch {
    return false;
  }
}
