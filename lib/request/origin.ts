import { env } from '@/lib/env';

/**
 * Same-origin check for server actions and state-changing route handlers
 * (SECURITY.md T32, T33; CVE-2026-27978; ASVS V3.5.1–3.5.3).
 *
 * A browser's request from another site gives itself away: its Origin is that
 * site (or the literal `null` from a sandboxed frame, a data: URL or a
 * redirect chain), and its Sec-Fetch-Site is `cross-site` or `same-site`.
 * The origin is compared with the configured APP_URL, never with Host or
 * X-Forwarded-Host, which the sender chooses (T33).
 *
 * A request without Origin:
 * - a GET (or HEAD) is fine: browsers omit Origin on same-origin navigations;
 * - a POST/PUT/PATCH/DELETE from a browser always carries Origin (every current
 *   browser sends it on non-GET requests), so one that announces itself as a
 *   browser (any Sec-Fetch-* header) but has no Origin is refused;
 * - a POST with neither Origin nor Sec-Fetch-* headers is a non-browser client
 *   (curl, a script, the e2e request context). It carries no victim's ambient
 *   cookies by a third site's doing, so it is not cross-site request forgery;
 *   the session checks that follow still apply.
 */
export interface OriginSignals {
  method: string;
  origin: string | null;
  secFetchSite: string | null;
  /** Sec-Fetch-Mode, another header only browsers send. */
  secFetchMode: string | null;
}

export type OriginVerdict =
  { ok: true } | { ok: false; reason: 'cross_site_fetch' | 'null_origin' | 'foreign_origin' | 'browser_without_origin' };

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
const SAME_ORIGIN_SITES = new Set(['same-origin', 'none']);

/** The pure decision, unit tested (lib/request/origin.test.ts). */
export function sameOriginVerdict(signals: OriginSignals, appUrl: string): OriginVerdict {
  const site = signals.secFetchSite?.trim().toLowerCase() ?? null;
  if (site !== null && !SAME_ORIGIN_SITES.has(site)) return { ok: false, reason: 'cross_site_fetch' };
  const origin = signals.origin?.trim() ?? null;
  if (origin === null || origin === '') {
    if (SAFE_METHODS.has(signals.method.toUpperCase())) return { ok: true };
    if (site !== null || signals.secFetchMode !== null) return { ok: false, reason: 'browser_without_origin' };
    return { ok: true };
  }
  if (origin.toLowerCase() === 'null') return { ok: false, reason: 'null_origin' };
  let expected: string;
  let given: string;
  try {
    expected = new URL(appUrl).origin;
    given = new URL(origin).origin;
  } catch {
    return { ok: false, reason: 'foreign_origin' };
  }
  // new URL(...).origin normalises case and default ports; an Origin header is
  // exactly scheme://host[:port], so anything else (a path, userinfo) is foreign.
  if (given === 'null' || given !== expected || origin.replace(/\/$/, '').toLowerCase() !== expected.toLowerCase()) {
    return { ok: false, reason: 'foreign_origin' };
  }
  return { ok: true };
}

/** Reads the signals of a request's headers. */
export function originSignals(headers: Headers, method: string): OriginSignals {
  return {
    method,
    origin: headers.get('origin'),
    secFetchSite: headers.get('sec-fetch-site'),
    secFetchMode: headers.get('sec-fetch-mode'),
  };
}

/**
 * Whether a request with these headers comes from the console's own origin
 * (APP_URL). Server actions are always POSTs; route handlers pass their method.
 */
export function isSameOriginRequest(headers: Headers, method = 'POST'): boolean {
  return sameOriginVerdict(originSignals(headers, method), env().APP_URL).ok;
}
