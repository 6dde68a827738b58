import 'server-only';
import { randomUUID } from 'node:crypto';
import { headers } from 'next/headers';
import { cache } from 'react';
import { env } from '@/lib/env';
import { resolveClientIp } from './ip';

export interface RequestContext {
  /** One per request; in every audit event and log line, and shown on error pages. */
  correlationId: string;
  /** The client address: the socket peer, or the forwarded client behind a trusted proxy. */
  ip: string | null;
  userAgent: string | null;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The context of the current request, read once (React cache). server.mjs sets
 * x-warden-peer and x-warden-correlation-id and drops any such header a client
 * sent; outside it (e.g. `next dev` without server.mjs) a fresh id is made.
 */
export const requestContext = cache(async (): Promise<RequestContext> => {
  const h = await headers();
  const cid = h.get('x-warden-correlation-id');
  const ip = resolveClientIp({
    peerIp: h.get('x-warden-peer'),
    forwardedFor: h.get('x-forwarded-for'),
    trustedProxies: env().TRUSTED_PROXIES.split(',').filter(Boolean),
  });
  const ua = h.get('user-agent');
  return {
    correlationId: cid && UUID.test(cid) ? cid : randomUUID(),
    ip,
    userAgent: ua ? ua.slice(0, 512) : null,
  };
});
