/**
 * The Content-Security-Policy and the other per-response security headers that
 * proxy.ts sets (SECURITY.md T39; ASVS V3.4). Pure functions of their inputs, so
 * the policy can be read and tested without a server; proxy.ts makes one nonce
 * per request and passes what it knows about the deployment.
 *
 * How the nonce reaches Next's own scripts: proxy.ts puts this policy on the
 * *forwarded request* as well as on the response. While rendering, Next.js reads
 * the request's Content-Security-Policy, takes the nonce of script-src and
 * writes it on every script and inline style it emits (framework chunks, the
 * inline RSC payload `self.__next_f.push(…)`). Every page renders per request
 * (the root layout reads the request headers), so every page gets a fresh nonce.
 *
 * Client code must not need eval: zod, which would probe `new Function` and
 * raise a violation, runs jitless in the browser (instrumentation-client.ts).
 *
 * No imports: proxy.ts, the unit tests and the e2e suite all use it as is.
 */

/** Where browsers POST violation reports (report-uri, and the `csp` endpoint of Reporting-Endpoints). */
export const CSP_REPORT_PATH = '/api/csp-report';

/** The Reporting API group name that report-to refers to. */
export const CSP_REPORT_GROUP = 'csp';

/** HSTS: one year, subdomains included (ASVS V3.4.1 asks for at least a year). Sent only over https. */
export const HSTS_VALUE = 'max-age=31536000; includeSubDomains';

/** 128 random bits from Web Crypto, base64: a nonce nobody can guess (one per response). */
export function newNonce(): string {
  const bytes = new Uint8Array(16);
  crypto.getRandomValues(bytes);
  let binary = '';
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary);
}

/** A nonce as Next.js and browsers accept it: base64 or base64url, at least 128 bits. */
const NONCE = /^[A-Za-z0-9+/_-]{22,}={0,2}$/;

export interface CspOptions {
  /** The response's nonce ({@link newNonce}). */
  nonce: string;
  /**
   * `next dev`: React rebuilds server error stacks with eval, and the dev overlay
   * injects styles without a nonce, so script-src gains 'unsafe-eval' and
   * style-src 'unsafe-inline'. Never in a production build.
   */
  dev: boolean;
  /** The public origin is https: adds upgrade-insecure-requests. */
  https: boolean;
}

/**
 * The policy, one line. Scripts run only with the nonce ('strict-dynamic' lets
 * those scripts load Next's chunks; hosts and 'self' are then ignored by CSP3
 * browsers and only kept as the CSP2 fallback). No 'unsafe-inline' for scripts,
 * ever.
 *
 * Styles: stylesheets from 'self' and nonced <style> elements; style
 * *attributes* (style="width: 40%", which React renders for the audit
 * dashboard's legend swatches and the access-review progress bars) cannot carry
 * a nonce, so style-src-attr allows inline attributes and nothing else. An
 * attribute can neither run script nor use selectors to read the page, and any
 * url() in it is still held to img-src/font-src 'self'.
 */
export function buildCsp({ nonce, dev, https }: CspOptions): string {
  if (!NONCE.test(nonce)) throw new TypeError('buildCsp needs a base64 nonce of at least 128 bits');
  const directives: string[] = [
    "default-src 'self'",
    `script-src 'self' 'nonce-${nonce}' 'strict-dynamic'${dev ? " 'unsafe-eval'" : ''}`,
    dev ? "style-src 'self' 'unsafe-inline'" : `style-src 'self' 'nonce-${nonce}'`,
    "style-src-attr 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "frame-ancestors 'none'",
    "form-action 'self'",
  ];
  if (https) directives.push('upgrade-insecure-requests');
  directives.push(`report-uri ${CSP_REPORT_PATH}`, `report-to ${CSP_REPORT_GROUP}`);
  return directives.join('; ');
}

/**
 * Reporting-Endpoints for report-to. The Reporting API wants an absolute URL,
 * so it is built on the configured public origin (APP_URL), never on the Host
 * header of the request.
 */
export function reportingEndpoints(appOrigin: string): string {
  return `${CSP_REPORT_GROUP}="${new URL(CSP_REPORT_PATH, appOrigin).href}"`;
}

/** Whether a configured public URL (APP_URL) is https. Anything unparsable counts as not. */
export function isHttpsOrigin(appUrl: string | undefined): boolean {
  if (!appUrl) return false;
  try {
    return new URL(appUrl).protocol === 'https:';
  } catch {
    return false;
  }
}

export interface ResponseSecurityOptions extends CspOptions {
  /** APP_URL's origin (for Reporting-Endpoints). */
  appOrigin: string;
}

/**
 * The headers proxy.ts sets on every response it sees (pages, RSC and server
 * action replies, route handlers, redirects): the policy, where reports go,
 * HSTS over https, and no-store. next.config.mjs adds the static ones
 * (nosniff, Referrer-Policy, COOP, X-Frame-Options, Permissions-Policy) on
 * everything, static assets included.
 *
 * Cache-Control: no-store on everything the proxy handles. Everything it handles
 * is rendered per request for one viewer (pages, RSC payloads, action replies)
 * or is an API answer; Next's own `private, no-cache, no-store, …` on dynamic
 * pages says the same. Static assets (/_next/static) are not proxied and keep
 * their immutable caching.
 */
export function responseSecurityHeaders(options: ResponseSecurityOptions): Record<string, string> {
  const headers: Record<string, string> = {
    'Content-Security-Policy': buildCsp(options),
    'Reporting-Endpoints': reportingEndpoints(options.appOrigin),
    'Cache-Control': 'no-store',
  };
  if (options.https) headers['Strict-Transport-Security'] = HSTS_VALUE;
  return headers;
}

/** The directives of a policy, by name (lower case), each with its source list. For tests and reviewers. */
export function parseCsp(policy: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const part of policy.split(';')) {
    const [name, ...values] = part.trim().split(/\s+/);
    if (name && !out.has(name.toLowerCase())) out.set(name.toLowerCase(), values);
  }
  return out;
}
