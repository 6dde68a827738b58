/**
 * Next.js configuration.
 * - distDir: the e2e suite builds into its own folder (NEXT_DIST_DIR) so that a
 *   test build, which contains the test hooks, never serves the demo.
 * - WARDEN_E2E_BUILD is inlined at build time: the build half of the test-hook guard.
 * - Baseline security headers on every response (the nonce-based CSP comes later).
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
    return [
      {
        source: '/:path*',
        headers: [
          { key: 'X-Content-Type-Options', value: 'nosniff' },
          { key: 'Referrer-Policy', value: 'same-origin' },
          { key: 'X-Frame-Options', value: 'DENY' },
          { key: 'Content-Security-Policy', value: "frame-ancestors 'none'; object-src 'none'; base-uri 'none'; form-action 'self'" },
          { key: 'Cross-Origin-Opener-Policy', value: 'same-origin' },
          { key: 'Permissions-Policy', value: 'camera=(), microphone=(), geolocation=(), payment=()' },
        ],
      },
    ];
  },
};

export default nextConfig;
