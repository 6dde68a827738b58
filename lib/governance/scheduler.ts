import 'server-only';
import { INACTIVITY_INTERVAL_MS, runInactivityRules } from '@/lib/dal/inactivity';
import { log } from '@/lib/log';

/**
 * Runs the inactivity rules every hour (started by instrumentation.ts), and once
 * a minute after start. Each run takes a lease in the database, so with several
 * instances only one runs it. Failures are logged, never thrown.
 */
const state = globalThis as unknown as { wardenInactivityTimer?: NodeJS.Timeout };

export function startInactivityScheduler(intervalMs: number = INACTIVITY_INTERVAL_MS): void {
  if (state.wardenInactivityTimer) return;
  state.wardenInactivityTimer = setInterval(() => void tick(), intervalMs);
  state.wardenInactivityTimer.unref();
  setTimeout(() => void tick(), 60_000).unref();
}

export function stopInactivityScheduler(): void {
  if (state.wardenInactivityTimer) clearInterval(state.wardenInactivityTimer);
  state.wardenInactivityTimer = undefined;
}

let running = false;

export async function tick(): Promise<void> {
  if (running) return;
  running = true;
  try {
    const result = await runInactivityRules();
    if (result.eventSeq !== null) {
      log.info(
        { suspended: result.suspended.length, sessionsEnded: result.sessionsEnded, invitationsExpired: result.invitationsExpired },
        'inactivity rules applied',
      );
    }
  } catch (error) {
    log.error(
      { err: { name: error instanceof Error ? error.name : 'Error', message: error instanceof Error ? error.message : String(error) } },
      'inactivity run failed',
    );
  } finally {
    running = false;
  }
}
