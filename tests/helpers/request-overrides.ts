/**
 * Requests as an attacker shapes them, for the request-hardening tests (T29,
 * T31, T32, T33, T36): the action harness's normal request scope for a caller,
 * with some headers replaced or removed and, if asked, another session cookie.
 * Everything else (the real action, the real database) is as in
 * tests/helpers/action-harness.ts.
 */
import { randomUUID } from 'node:crypto';
import { sessionCookieName } from '@/lib/auth/next-auth';
import type { ActionMeta } from '@/lib/authz/define-action';
import type { ActionHarness, Called, Caller, ServerAction } from './action-harness';
import { CookieJar, runInRequestScope, type RequestScope } from './request-scope';

export interface RequestOverrides {
  /** Headers to set; a null value removes the header (e.g. `origin: null` for "no Origin at all"). */
  headers?: Record<string, string | null>;
  /** The session cookie's value instead of the caller's (null: no cookie). */
  sessionCookie?: string | null;
}

/** The request scope of one call by `caller`, with the overrides applied. */
export function overriddenScope(h: ActionHarness, caller: Caller, correlationId: string, overrides: RequestOverrides = {}): RequestScope {
  const scope = h.scope(caller, correlationId);
  for (const [name, value] of Object.entries(overrides.headers ?? {})) {
    if (value === null) scope.headers.delete(name);
    else scope.headers.set(name, value);
  }
  if (overrides.sessionCookie !== undefined) {
    scope.cookies = overrides.sessionCookie === null ? new CookieJar() : new CookieJar({ [sessionCookieName()]: overrides.sessionCookie });
  }
  return scope;
}

/** Invokes a server action as `caller`, with the request shaped by `overrides`. */
export async function callWith<T>(
  h: ActionHarness,
  caller: Caller,
  action: ServerAction<T>,
  input: unknown,
  overrides: RequestOverrides,
  meta?: ActionMeta,
): Promise<Called<T>> {
  const correlationId = randomUUID();
  const result = await runInRequestScope(overriddenScope(h, caller, correlationId, overrides), () => action(input, meta));
  return { result, correlationId };
}

/** Runs request-scoped app code (getViewer, a page guard, a route handler) as `caller`, shaped by `overrides`. */
export function runWith<T>(h: ActionHarness, caller: Caller, overrides: RequestOverrides, work: () => Promise<T>): Promise<T> {
  return runInRequestScope(overriddenScope(h, caller, randomUUID(), overrides), work);
}
