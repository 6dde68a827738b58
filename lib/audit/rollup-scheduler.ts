import 'server-only';
import { db } from '@/lib/db';
import { log } from '@/lib/log';
import { refreshAuditRollups } from './rollup';

/**
 * Runs {@link refreshAuditRollups} every 30 s in the server process (started by
 * instrumentation.ts), so the dashboards read at most ~30 s of events from the
 * event table and the rest from the hourly rollups. One run at a time per
 * process; across instances the rollup state row serialises refreshers (see
 * lib/audit/rollup.ts). The dashboards stay exact whatever the lag: this only
 * keeps them fast. A failure is logged and never reaches the server.
 */
export const ROLLUP_INTERVAL_MS = 30_000;

const state = globalThis as unknown as { wardenRollupTimer?: NodeJS.Timeout };

/** Starts the timer (idempotent; the timer is unref'd so it never keeps the process alive). */
export function startRollupScheduler(intervalMs: number = ROLLUP_INTERVAL_MS): void {
  if (state.wardenRollupTimer) return;
  state.wardenRollupTimer = setInterval(() => void tick(), intervalMs);
  state.wardenRollupTimer.unref();
  // A first run soon after start, so a fresh server does not read the whole trail for up to a minute.
  setTimeout(() => void tick(), 2_000).unref();
}

/** Stops the timer (tests, shutdown). */
export function stopRollupScheduler(): void {
  if (state.wardenRollupTimer) clearInterval(state.wardenRollupTimer);
  state.wardenRollupTimer = undefined;
}

let running = false;
let lastProblem: string | undefined;

/**
 * One scheduled run; exported for tests. Never throws. The same problem on
 * consecutive runs is logged once; a different problem, or a success in
 * between, logs again.
 */
export async function tick(): Promise<void> {
  if (running) return;
  running = true;
  try {
    const result = await refreshAuditRollups(await db());
    if (result.counted > 0) log.debug({ throughSeq: result.throughSeq, counted: result.counted }, 'audit rollups refreshed');
    lastProblem = undefined;
  } catch (error) {
    const message = (error instanceof Error ? error.message : String(error)).replace(/\/\/[^/@\s]*@/g, '//***@').slice(0, 500);
    if (message === lastProblem) return;
    lastProblem = message;
    log.error({ err: { name: error instanceof Error ? error.name : 'Error', message } }, 'audit rollup refresh failed');
  } finally {
    running = false;
  }
}
