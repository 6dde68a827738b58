import 'server-only';
import { log } from '@/lib/log';
import { deliverDueAlerts } from './webhook';
import { EVALUATION_INTERVAL_MS, evaluateAnomalies } from './evaluate';

/**
 * Runs the anomaly evaluation every 15 s and the webhook deliveries after it
 * (started by instrumentation.ts). Each run takes its lease or claims in the
 * database, so several instances share the work without doing it twice.
 * Failures are logged (message only) and never reach the server.
 */
const state = globalThis as unknown as { wardenMonitorTimer?: NodeJS.Timeout };

export function startMonitorScheduler(intervalMs: number = EVALUATION_INTERVAL_MS): void {
  if (state.wardenMonitorTimer) return;
  state.wardenMonitorTimer = setInterval(() => void tick(), intervalMs);
  state.wardenMonitorTimer.unref();
  setTimeout(() => void tick(), 3_000).unref();
}

export function stopMonitorScheduler(): void {
  if (state.wardenMonitorTimer) clearInterval(state.wardenMonitorTimer);
  state.wardenMonitorTimer = undefined;
}

let running = false;

export async function tick(): Promise<void> {
  if (running) return;
  running = true;
  try {
    const result = await evaluateAnomalies();
    if (result.raised.length > 0) log.warn({ raised: result.raised }, 'alerts raised');
    await deliverDueAlerts();
  } catch (error) {
    log.error(
      { err: { name: error instanceof Error ? error.name : 'Error', message: error instanceof Error ? error.message : String(error) } },
      'monitoring run failed',
    );
  } finally {
    running = false;
  }
}
