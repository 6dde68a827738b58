import Link from 'next/link';
import type { ShownFailure } from './use-ticket-action';

/**
 * A failed ticket action, in an aria-live region: the message, the reference to
 * quote to an admin, and for NOT_FOUND (the ticket was reassigned, closed or
 * returned to the queue since this page was opened) the way back to the list.
 */
export function FailureNote({ failure }: { failure: ShownFailure | null }) {
  return (
    <div aria-live="polite" role="status">
      {failure ? (
        <p className="mt-2 rounded-md bg-red-50 px-3 py-2 text-sm text-red-800 ring-1 ring-red-200">
          {failure.message}
          {failure.correlationId ? <> (Reference: {failure.correlationId})</> : null}
          {failure.code === 'NOT_FOUND' ? (
            <>
              {' '}
              It may have been reassigned or closed while this page was open.{' '}
              <Link href="/tickets" className="font-medium underline">
                Back to My tickets
              </Link>
            </>
          ) : null}
        </p>
      ) : null}
    </div>
  );
}

/** The NOT_FOUND hint in words, for dialogs that show a plain message. */
export function withNotFoundHint<R extends { ok: boolean; code?: string; message?: string }>(result: R): R {
  if (result.ok || result.code !== 'NOT_FOUND') return result;
  return { ...result, message: `${result.message} It may have been reassigned or closed while this page was open; go back to My tickets.` };
}
