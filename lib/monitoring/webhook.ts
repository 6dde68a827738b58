import 'server-only';

/**
 * Alert webhook delivery (issue 9) — being written: delivers due AlertDelivery
 * rows (HMAC-signed POST, retries with backoff, every attempt's outcome kept).
 */
export async function deliverDueAlerts(): Promise<number> {
  return 0;
}
