import 'server-only';
import { INACTIVITY_DUE_EVERY_MS, INACTIVITY_INTERVAL_MS, runInactivityRules } from '@/lib/dal/inactivity';
import { log } from '@/lib/log';

/**
 * Runs the inactivity rules every hour (started by instrumentation.ts), and once
 * a minute after start. Every instance ticks; each tick runs the rules only if no
 * run started in the last INACTIVITY_DUE_EVERY_MS on any instance (checked and
 * claimed in one conditional update in the database), so with several instances
 * the rules run once per period. Failures are logged, never thrown.
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
    const result = await runInactivityRules(undefined, { dueEveryMs: INACTIVITY_DUE_EVERY_MS });
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
