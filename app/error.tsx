'use client';

import { useSyncExternalStore } from 'react';

/** Shown when a page fails: a plain explanation and the id to quote. Never the error text. */
export default function ErrorPage({ error, reset }: { error: Error & { digest?: string }; reset: () => void }) {
  const correlationId = useSyncExternalStore(noSubscription, readCorrelationId, () => null);
  return (
    <main className="mx-auto max-w-lg px-6 py-24 text-center">
      <h1 className="text-2xl font-semibold">Something went wrong</h1>
      <p className="mt-2 text-slate-600">
        Nothing was changed. Try again; if it keeps happening, send this reference to your administrator.
      </p>
      <p className="mt-4 rounded-md bg-slate-100 px-3 py-2 font-mono text-sm" data-testid="error-reference">
        {correlationId ? `Reference: ${correlationId}` : null}
        {error.digest ? ` · digest ${error.digest}` : null}
      </p>
      <button
        type="button"
        onClick={reset}
        className="mt-6 rounded-md bg-indigo-600 px-4 py-2 text-sm font-semibold text-white hover:bg-indigo-500"
      >
        Try again
      </button>
    </main>
  );
}

const noSubscription = () => () => {};

/** The id the root layout rendered for this request (a meta tag). */
function readCorrelationId(): string | null {
  return document.querySelector('meta[name="correlation-id"]')?.getAttribute('content') ?? null;
}
