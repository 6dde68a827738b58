import { GeistMono } from 'geist/font/mono';
import { GeistSans } from 'geist/font/sans';
import type { Metadata } from 'next';
import type { ReactNode } from 'react';
import { requestContext } from '@/lib/request/context';
import './globals.css';

export const metadata: Metadata = {
  title: { default: 'Warden', template: '%s · Warden' },
  description: 'Privileged-access admin console with a tamper-evident audit trail.',
  robots: { index: false, follow: false },
};

export default async function RootLayout({ children }: { children: ReactNode }) {
  const { correlationId } = await requestContext();
  return (
    <html lang="en" className={`${GeistSans.variable} ${GeistMono.variable}`}>
      <head>
        {/* Read by the error boundary so a user can quote the id of a failed request. */}
        <meta name="correlation-id" content={correlationId} />
      </head>
      <body className="min-h-screen font-sans">{children}</body>
    </html>
  );
}
