import 'server-only';
import { db } from '@/lib/db';
import { log } from '@/lib/log';
import { CheckpointError, maybeCheckpoint } from './checkpoint';

/**
 * Runs {@link maybeCheckpoint} every 30 s in the server process (started by
 * instrumentation.ts; docs/audit-chain-format.md "Checkpoints", Scheduling). One run
 * at a time per process; across PostgreSQL instances the audit chain lock and the
 * "unchanged head → no checkpoint" rule prevent duplicates. A failure is logged
 * (message only: messages carry no key material) and never reaches the server.
 */
export const CHECKPOINT_INTERVAL_MS = 30_000;

const state = globalThis as unknown as { wardenCheckpointTimer?: NodeJS.Timeout };

/** Starts the timer (idempotent; the timer is unref'd so it never keeps the process alive). */
export function startCheckpointScheduler(intervalMs: number = CHECKPOINT_INTERVAL_MS): void {
  if (state.wardenCheckpointTimer) return;
  state.wardenCheckpointTimer = setInterval(() => void tick(), intervalMs);
  state.wardenCheckpointTimer.unref();
}

/** Stops the timer (tests, shutdown). */
export function stopCheckpointScheduler(): void {
  if (state.wardenCheckpointTimer) clearInterval(state.wardenCheckpointTimer);
  state.wardenCheckpointTimer = undefined;
}

let running = false;
let lastProblem: string | undefined;

/**
 * One scheduled run; exported for tests. Never throws. The same problem on consecutive
 * runs is logged once (a missing key would otherwise log every 30 s); a different
 * problem, or a success in between, logs again.
 */
export async function tick(): Promise<void> {
  if (running) return;
  running = true;
  try {
    const checkpoint = await maybeCheckpoint(await db());
    if (checkpoint) log.info({ seq: checkpoint.seq, keyId: checkpoint.keyId, digest: checkpoint.digest }, 'audit checkpoint made');
    lastProblem = undefined;
  } catch (error) {
    const message = (error instanceof Error ? error.message : String(error)).replace(/\/\/[^/@\s]*@/g, '//***@').slice(0, 500);
    const code = error instanceof CheckpointError ? error.code : undefined;
    if (message === lastProblem) return;
    lastProblem = message;
    if (code === 'no_signing_key' || code === 'key_not_usable') {
      log.warn({ code }, `audit checkpoints skipped: ${message}`);
    } else {
      log.error({ err: { name: error instanceof Error ? error.name : 'Error', message }, code }, 'audit checkpoint failed');
    }
  } finally {
    running = false;
  }
}
