import type { ActionFailure } from '@/lib/authz/result';

type Failure = ActionFailure | { ok: false; code: 'CANCELLED'; message: string };

/** A failure as the person reads it, with the correlation id they can quote when there is one. */
export function failureText(result: Failure): string {
  return 'correlationId' in result && result.correlationId ? `${result.message} (Reference: ${result.correlationId})` : result.message;
}

/** When the server action could not be reached at all. */
export const UNREACHABLE = 'The console could not be reached. Check your connection and try again. Nothing was changed.';
