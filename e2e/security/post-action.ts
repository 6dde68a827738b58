import type { APIRequestContext } from '@playwright/test';
import { builtAction } from '../actions';

/**
 * A built server action POSTed like e2e/actions.ts callAction does, but with
 * the request headers an attacker chooses (Origin, Sec-Fetch-Site,
 * X-Forwarded-Host, internal Next.js headers) and any body: for the request
 * hardening specs (T29, T32, T33, T36).
 */
export interface RawReply {
  status: number;
  /** The ActionResult read out of the RSC reply, or null (Next refused before the action ran). */
  result: { ok: boolean; code?: string; message?: string } | null;
  body: string;
}

function readResult(body: string): RawReply['result'] {
  for (const line of body.split('\n')) {
    try {
      const value = JSON.parse(line.slice(line.indexOf(':') + 1)) as unknown;
      if (value && typeof value === 'object' && typeof (value as { ok?: unknown }).ok === 'boolean') return value as RawReply['result'];
    } catch {
      // not a JSON row
    }
  }
  return null;
}

export async function postAction(
  request: APIRequestContext,
  name: string,
  args: unknown[] | string,
  headers: Record<string, string> = {},
): Promise<RawReply> {
  const action = builtAction(name);
  const response = await request.post(action.path, {
    headers: { 'next-action': action.id, 'content-type': 'text/plain;charset=UTF-8', accept: 'text/x-component', ...headers },
    data: typeof args === 'string' ? args : JSON.stringify(args),
    maxRedirects: 0,
  });
  const body = await response.text();
  return { status: response.status(), result: readResult(body), body };
}

/** Refused: the action did not succeed, whether Next stopped it (no ActionResult) or defineAction did. */
export function refused(reply: RawReply): boolean {
  return reply.result ? !reply.result.ok : reply.status >= 400;
}
