import 'server-only';
import { expireDueApprovals } from '@/lib/dal/approvals';
import { expireDueElevations } from '@/lib/dal/elevations';
import { log } from '@/lib/log';

/**
 * Expires two-person requests past their time every minute (started by
 * instrumentation.ts), each with an `approval.expire` event. Safe on several
 * instances: each request moves pending → expired in a conditional update
 * under the audit chain lock, so only one instance records it. Approving or
 * rejecting an expired request is refused whether or not this has run.
 * The same minute also records the end of time-bound elevations past their
 * expiry (`elevation.expire`); their rights stopped at the expiry already.
 */
export const APPROVAL_EXPIRY_INTERVAL_MS = 60_000;

const state = globalThis as unknown as { wardenApprovalExpiryTimer?: NodeJS.Timeout };

export function startApprovalExpiryScheduler(intervalMs: number = APPROVAL_EXPIRY_INTERVAL_MS): void {
  if (state.wardenApprovalExpiryTimer) return;
  state.wardenApprovalExpiryTimer = setInterval(() => void tick(), intervalMs);
  state.wardenApprovalExpiryTimer.unref();
}

export function stopApprovalExpiryScheduler(): void {
  if (state.wardenApprovalExpiryTimer) clearInterval(state.wardenApprovalExpiryTimer);
  state.wardenApprovalExpiryTimer = undefined;
}

let running = false;

/** One run; never throws. */
export async function tick(): Promise<void> {
  if (running) return;
  running = true;
  try {
    const expired = await expireDueApprovals();
    if (expired > 0) log.info({ expired }, 'approval requests expired');
    const elevations = await expireDueElevations();
    if (elevations > 0) log.info({ elevations }, 'elevations expired');
  } catch (error) {
    log.error(
      { err: { name: error instanceof Error ? error.name : 'Error', message: error instanceof Error ? error.message : String(error) } },
      'approval expiry failed',
    );
  } finally {
    running = false;
  }
}
