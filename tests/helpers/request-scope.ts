/**
 * A stand-in for `next/headers` in integration tests: the request scope that
 * Next.js gives a server action (its headers and cookies), and nothing else.
 * Test files install it with
 *
 *   vi.mock('next/headers', () => import('../helpers/request-scope'));
 *
 * Each call runs inside its own scope (AsyncLocalStorage, as in Next.js itself),
 * so concurrent calls (T28/T43: `Promise.all`) each see their own caller's
 * cookie and correlation id. Calling `headers()` or `cookies()` outside a scope
 * throws, as it does in Next.js.
 */
import { AsyncLocalStorage } from 'node:async_hooks';

interface CookieValue {
  name: string;
  value: string;
}

/** The subset of Next's RequestCookies / ResponseCookies the app uses: get, getAll, has, set, delete. */
export class CookieJar {
  private readonly values = new Map<string, string>();

  constructor(initial: Record<string, string> = {}) {
    for (const [name, value] of Object.entries(initial)) this.values.set(name, value);
  }

  get(name: string): CookieValue | undefined {
    const value = this.values.get(name);
    return value === undefined ? undefined : { name, value };
  }

  getAll(): CookieValue[] {
    return [...this.values].map(([name, value]) => ({ name, value }));
  }

  has(name: string): boolean {
    return this.values.has(name);
  }

  set(nameOrCookie: string | CookieValue, value?: string): this {
    if (typeof nameOrCookie === 'string') this.values.set(nameOrCookie, value ?? '');
    else this.values.set(nameOrCookie.name, nameOrCookie.value);
    return this;
  }

  delete(name: string | { name: string }): this {
    this.values.delete(typeof name === 'string' ? name : name.name);
    return this;
  }
}

export interface RequestScope {
  headers: Headers;
  cookies: CookieJar;
}

const storage = new AsyncLocalStorage<RequestScope>();

/** Runs `work` as one request with these headers and cookies. */
export function runInRequestScope<T>(scope: RequestScope, work: () => Promise<T>): Promise<T> {
  return storage.run(scope, work);
}

function current(): RequestScope {
  const scope = storage.getStore();
  if (!scope) throw new Error('next/headers was used outside a request scope (tests/helpers/request-scope: runInRequestScope)');
  return scope;
}

/** `next/headers` headers(). */
export async function headers(): Promise<Headers> {
  return current().headers;
}

/** `next/headers` cookies(). */
export async function cookies(): Promise<CookieJar> {
  return current().cookies;
}
