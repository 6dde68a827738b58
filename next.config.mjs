import { staticSecurityHeaders } from './lib/security/static-headers.mjs';

/**
 * Next.js configuration.
 * - distDir: the e2e suite builds into its own folder (NEXT_DIST_DIR) so that a
 *   test build, which contains the test hooks, never serves the demo.
 * - WARDEN_E2E_BUILD is inlined at build time: the build half of the test-hook guard.
 * - Static security headers on every response, static assets included
 *   (lib/security/static-headers.mjs). The nonce-based Content-Security-Policy,
 *   Cache-Control: no-store and HSTS at run time come from proxy.ts (per request).
 * - poweredByHeader: false — no X-Powered-By.
 * - logging.serverFunctions off: the dev server would otherwise print every server
 *   action's arguments, passwords included (house style 23: no secrets in logs).
 * @type {import('next').NextConfig}
 */
const nextConfig = {
  poweredByHeader: false,
  logging: { serverFunctions: false },
  reactStrictMode: true,
  distDir: process.env.NEXT_DIST_DIR || '.next',
  env: { WARDEN_E2E_BUILD: process.env.WARDEN_E2E_BUILD === '1' ? '1' : '' },
  serverExternalPackages: ['better-sqlite3', '@node-rs/argon2', 'pino', 'pg', 'prom-client'],
  experimental: {
    serverActions: { bodySizeLimit: '1mb' },
  },
  async headers() {
    return [{ source: '/:path*', headers: staticSecurityHeaders({ appUrl: process.env.APP_URL }) }];
  },
};

export default nextConfig;
