'use client';

/** Last-resort boundary when the root layout itself fails. */
export default function GlobalError({ error }: { error: Error & { digest?: string } }) {
  return (
    <html lang="en">
      <body style={{ fontFamily: 'system-ui, sans-serif', padding: '4rem', textAlign: 'center' }}>
        <h1>Something went wrong</h1>
        <p>Nothing was changed. If it keeps happening, send this reference to your administrator.</p>
        <p>
          <code>{error.digest ?? 'no reference'}</code>
        </p>
      </body>
    </html>
  );
}
