import 'server-only';
import fs from 'node:fs';
import { env, testHooksEnabled } from '@/lib/env';

/**
 * The server's idea of "now". Session timers, audit timestamps and throttling
 * read time only through this function, so tests can move it.
 *
 * In an e2e build with test hooks on (see testHooksEnabled), an offset in
 * milliseconds is read from WARDEN_TEST_CLOCK_FILE on every call: a file, not
 * module state, because route handlers and pages of a production build do not
 * share module state, and a CLI or a second instance must see the same clock.
 */
export function now(): Date {
  return new Date(Date.now() + clockOffsetMs());
}

function clockOffsetMs(): number {
  if (!testHooksEnabled()) return 0;
  const file = env().WARDEN_TEST_CLOCK_FILE;
  if (!file) return 0;
  try {
    const parsed = JSON.parse(fs.readFileSync(file, 'utf8')) as { offsetMs?: unknown };
    return typeof parsed.offsetMs === 'number' && Number.isFinite(parsed.offsetMs) ? parsed.offsetMs : 0;
  } catch {
    return 0;
  }
}

/** Test hook: sets the server clock offset. Throws unless test hooks are enabled. */
export function setClockOffsetMs(offsetMs: number): void {
  const file = env().WARDEN_TEST_CLOCK_FILE;
  if (!testHooksEnabled() || !file) throw new Error('test hooks are disabled');
  fs.writeFileSync(file, JSON.stringify({ offsetMs }));
}
