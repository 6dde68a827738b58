'use client';

/**
 * Last-resort boundary when the root layout itself fails. Plain markup only (no
 * styles or fonts of the root layout are available). Shows the error digest as
 * the reference (logged with the correlation id by instrumentation.ts), never
 * the error's message, stack or anything else from the error object.
 */
export default function GlobalError({ error }: { error: Error & { digest?: string } }) {
  const reference = error.digest && /^[A-Za-z0-9_-]{1,64}$/.test(error.digest) ? error.digest : null;
  return (
    <html lang="en">
      <head>
        <title>Something went wrong · Warden</title>
      </head>
      <body style={{ fontFamily: 'system-ui, sans-serif', padding: '4rem', textAlign: 'center' }}>
        <main>
          <h1>Something went wrong</h1>
          <p>Warden could not show this page. Reload it; if it keeps happening, send this reference to your administrator.</p>
          {reference ? (
            <p data-testid="error-reference">
              Reference: <code>{reference}</code>
            </p>
          ) : null}
          <p>
            {/* A full page load on purpose: the client router's own tree just failed. */}
            {/* eslint-disable-next-line @next/next/no-html-link-for-pages */}
            <a href="/">Back to the overview</a>
          </p>
        </main>
      </body>
    </html>
  );
}
