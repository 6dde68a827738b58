/**
 * Client address resolution. X-Forwarded-For is honoured only when the direct
 * peer is a configured trusted proxy (SECURITY.md T33); then the right-most
 * address that is not itself a trusted proxy is the client. Pure, so it is unit
 * tested without a server.
 */
export function resolveClientIp(input: {
  peerIp: string | null;
  forwardedFor: string | null;
  trustedProxies: readonly string[];
}): string | null {
  const peer = normalizeIp(input.peerIp);
  if (!peer) return null;
  const trusted = new Set(input.trustedProxies.map(normalizeIp).filter((x): x is string => !!x));
  if (!trusted.has(peer) || !input.forwardedFor) return peer;
  const chain = input.forwardedFor
    .split(',')
    .map((s) => normalizeIp(s.trim()))
    .filter((x): x is string => !!x);
  for (let i = chain.length - 1; i >= 0; i--) {
    const hop = chain[i];
    if (hop && !trusted.has(hop)) return hop;
  }
  return peer;
}

/** Strips an IPv4-mapped IPv6 prefix and rejects anything that is not an IP literal. */
export function normalizeIp(value: string | null | undefined): string | null {
  if (!value) return null;
  let v = value.trim();
  if (v.startsWith('::ffff:') && /^::ffff:\d+\.\d+\.\d+\.\d+$/.test(v)) v = v.slice(7);
  if (/^\d{1,3}(\.\d{1,3}){3}$/.test(v)) return v;
  if (/^[0-9a-f:]+$/i.test(v) && v.includes(':') && v.length <= 39) return v.toLowerCase();
  return null;
}
