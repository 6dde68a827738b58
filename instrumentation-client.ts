import { z } from 'zod';

/**
 * Runs in the browser before the app's own modules (Next.js instrumentation-client).
 *
 * Zod 4 decides once, when the first object schema is built, whether it may
 * compile fast parsers with `new Function` — by trying it. Under Warden's CSP
 * (no 'unsafe-eval', SECURITY.md T39) the attempt is refused and, although zod
 * catches the error, the browser reports a `securitypolicyviolation`. jitless
 * skips the probe: the client's schemas (forms) parse without eval, as they
 * would anyway under this policy. The server is not affected.
 */
z.config({ jitless: true });
