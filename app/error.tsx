'use client';

import Link from 'next/link';
import { useSyncExternalStore } from 'react';

/**
 * Shown when a page fails: a plain explanation, what to do, and the reference to
 * quote. Never anything from the error object but its digest: no message, stack
 * or path (in production Next.js replaces a server error's message anyway).
 *
 * The reference is Next.js's error digest when there is one (a server render
 * error): instrumentation.ts onRequestError logs it with the request's
 * correlation id (docs/operators.md "Finding an error by its reference").
 * Otherwise it is the correlation id of the request that rendered the page.
 */
export default function ErrorPage({ error, reset }: { error: Error & { digest?: string }; reset: () => void }) {
  const correlationId = useSyncExternalStore(noSubscription, readCorrelationId, () => null);
  const reference = safeReference(error.digest) ?? correlationId;
  return (
    <main className="mx-auto max-w-lg px-6 py-24 text-center">
      <h1 className="text-2xl font-semibold">Something went wrong</h1>
      <p className="mt-2 text-slate-600">
        This page could not be shown. Try again; if it keeps happening, send this reference to your administrator.
      </p>
      {reference ? (
        <p className="mt-4 rounded-md bg-slate-100 px-3 py-2 font-mono text-sm" data-testid="error-reference">
          Reference: {reference}
        </p>
      ) : null}
      <div className="mt-6 flex justify-center gap-4">
        <button
          type="button"
          onClick={reset}
          className="rounded-md bg-indigo-600 px-4 py-2 text-sm font-semibold text-white hover:bg-indigo-500"
        >
          Try again
        </button>
        <Link href="/" className="rounded-md px-4 py-2 text-sm font-medium text-indigo-700 hover:underline">
          Back to the overview
        </Link>
      </div>
    </main>
  );
}

const noSubscription = () => () => {};

/** The id the root layout rendered for this request (a meta tag). */
function readCorrelationId(): string | null {
  const value = document.querySelector('meta[name="correlation-id"]')?.getAttribute('content') ?? null;
  return value && /^[0-9a-f-]{36}$/i.test(value) ? value : null;
}

/** A digest is a short token Next.js makes (a hash); anything else is not shown. */
function safeReference(digest: string | undefined): string | null {
  return digest && /^[A-Za-z0-9_-]{1,64}$/.test(digest) ? digest : null;
}
