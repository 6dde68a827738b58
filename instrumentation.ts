import type { Instrumentation } from 'next';

/**
 * Starts the audit checkpoint scheduler in the Node.js server runtime (not in the
 * edge runtime, not during the build): every 30 s a signed checkpoint is made when
 * one is due (docs/audit-chain-format.md "Checkpoints"); and the dashboard rollup
 * scheduler, which folds new events into the hourly counts every 30 s
 * (lib/audit/rollup.ts); and every minute, the expiry of two-person requests past
 * their time and the recorded end of elevations past theirs
 * (lib/approvals/expiry-scheduler.ts). Failures are logged, never thrown.
 */
export async function register(): Promise<void> {
  // Next.js's documented form: NEXT_RUNTIME is inlined per bundle, so the edge bundle
  // drops the import. (Not lib/env.ts: it cannot load in the edge runtime.)
  // eslint-disable-next-line no-restricted-syntax -- see above
  if (process.env.NEXT_RUNTIME === 'nodejs') {
    const { startCheckpointScheduler } = await import('@/lib/audit/checkpoint-scheduler');
    startCheckpointScheduler();
    const { startRollupScheduler } = await import('@/lib/audit/rollup-scheduler');
    startRollupScheduler();
    const { startApprovalExpiryScheduler } = await import('@/lib/approvals/expiry-scheduler');
    startApprovalExpiryScheduler();
    const { startMonitorScheduler } = await import('@/lib/monitoring/scheduler');
    startMonitorScheduler();
    const { startInactivityScheduler } = await import('@/lib/governance/scheduler');
    startInactivityScheduler();
  }
}

/**
 * Logs every error Next.js catches while rendering or running an action, with the
 * request's correlation id and the digest shown to the user, as one JSON line.
 */
export const onRequestError: Instrumentation.onRequestError = async (error, request) => {
  const headers = request.headers as Record<string, string | string[] | undefined>;
  const err = error as Error & { digest?: string };
  const { log } = await import('@/lib/log');
  log.error(
    {
      correlationId: headers['x-warden-correlation-id'],
      digest: err.digest,
      path: request.path,
      method: request.method,
      err: { name: err.name, message: err.message, stack: err.stack },
    },
    'request error',
  );
};
