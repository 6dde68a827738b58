/**
 * Post-sign-in and post-action redirect targets (SECURITY.md T34; ASVS V3.7.2).
 * Only a path on our own origin is followed; anything else falls back to "/".
 * Pure, unit tested with the encoding tricks attackers use.
 */
export function safeRedirectPath(raw: unknown, appOrigin: string): string {
  if (typeof raw !== 'string' || raw.length === 0 || raw.length > 2048) return '/';
  // Control characters and backslashes are rejected outright: browsers strip or
  // reinterpret them (e.g. "/\evil.com" or "/\t/evil.com" become protocol-relative).
  if (/[\u0000-\u001f\u007f\\]/.test(raw)) return '/';
  if (!raw.startsWith('/') || raw.startsWith('//')) return '/';
  let decoded = raw;
  try {
    decoded = decodeURIComponent(raw);
  } catch {
    return '/';
  }
  if (decoded.startsWith('//') || /[\u0000-\u001f\u007f\\]/.test(decoded)) return '/';
  let url: URL;
  try {
    url = new URL(raw, appOrigin);
  } catch {
    return '/';
  }
  if (url.origin !== new URL(appOrigin).origin) return '/';
  if (url.pathname.startsWith('/api/')) return '/';
  const path = `${url.pathname}${url.search}${url.hash}`;
  // Dot segments collapse on resolution: "/.//evil.example" and "/a/..//evil.example"
  // resolve to the path "//evil.example", which a browser reads as another host.
  // Whatever is returned must itself still be a plain same-origin path.
  if (path.startsWith('//') || !path.startsWith('/')) return '/';
  try {
    if (decodeURIComponent(url.pathname).startsWith('//')) return '/';
  } catch {
    return '/';
  }
  return path;
}
