import 'server-only';
import { z } from 'zod';

/**
 * The only module that reads process.env (house style 29). Validated once, on
 * first use; a bad value stops the process with a message naming the variable,
 * never with its value.
 */
const booleanFlag = z
  .enum(['0', '1', 'true', 'false', ''])
  .optional()
  .transform((v) => v === '1' || v === 'true');

/** An optional value where an empty string (`NAME=` in .env) means "not set". */
const optionalText = z
  .string()
  .optional()
  .transform((v) => (v === '' ? undefined : v));

const EnvSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  DATABASE_URL: z.string().min(1).default('file:./var/warden.db'),
  /** Secret for next-auth's encrypted session cookie. ≥ 32 characters. */
  AUTH_SECRET: z.string().min(32).optional(),
  /** The public origin of the console; redirects and WebAuthn use it, never the Host header. */
  APP_URL: z.url().default('http://localhost:3000'),
  /** Comma-separated IP addresses of reverse proxies whose X-Forwarded-For is honoured. */
  TRUSTED_PROXIES: z.string().default(''),
  /**
   * Application encryption keys for secrets at rest (TOTP seeds): "keyId:base64url(32 bytes)",
   * comma-separated to keep old keys readable after a rotation. Without it, development
   * and tests derive one key ("k0") from AUTH_SECRET.
   */
  WARDEN_ENCRYPTION_KEYS: z.string().optional(),
  /** The key id new encryptions use; defaults to the first key listed. */
  WARDEN_ENCRYPTION_KEY_ID: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,32}$/)
    .optional(),
  /** WebAuthn relying-party id; defaults to the host name of APP_URL. Never taken from a request. */
  WEBAUTHN_RP_ID: z.string().optional(),
  DB_POOL_SIZE: z.coerce.number().int().min(1).max(200).default(10),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** Allows an http:// APP_URL that is not localhost (only behind a TLS-terminating proxy you trust). */
  WARDEN_ALLOW_INSECURE_HTTP: booleanFlag,
  /** Runtime half of the test-hook guard; the build half is WARDEN_E2E_BUILD. */
  WARDEN_TEST_HOOKS: booleanFlag,
  WARDEN_TEST_CLOCK_FILE: z.string().optional(),
  /** Ed25519 private key (PKCS#8 PEM) that signs audit checkpoints: a file path… (docs/audit-chain-format.md "Keys") */
  WARDEN_AUDIT_SIGNING_KEY_FILE: optionalText,
  /** …or the PEM text itself. The file wins when both are set. */
  WARDEN_AUDIT_SIGNING_KEY: optionalText,
  /** The published public keys ("warden.public-keys.v1"), also served at GET /api/audit/public-keys. */
  WARDEN_AUDIT_PUBLIC_KEYS_FILE: z.string().min(1).default('var/audit/public-keys.json'),
  /**
   * Spool directory of outgoing messages to end users (an invitation or a
   * password-reset link sent from a ticket): one RFC 5322 file each, readable
   * only by Warden's user, for the mail system to pick up (docs/support-desk.md).
   */
  WARDEN_OUTBOX_DIR: z.string().min(1).default('var/outbox'),
  /** The From address of those messages. */
  WARDEN_MAIL_FROM: z.string().min(3).max(254).default('Warden <no-reply@localhost>'),
  /** Directory of the external checkpoint log (checkpoints.jsonl); put it on storage the database's administrators cannot rewrite. */
  WARDEN_AUDIT_CHECKPOINT_DIR: z.string().min(1).default('var/audit/checkpoints'),
  /** A checkpoint is made after this many new audit events… */
  WARDEN_AUDIT_CHECKPOINT_EVERY: z.coerce.number().int().min(1).max(1_000_000).default(1000),
  /** …or this many minutes after the last one when there are new events. */
  WARDEN_AUDIT_CHECKPOINT_MINUTES: z.coerce
    .number()
    .int()
    .min(1)
    .max(24 * 60)
    .default(15),
  /**
   * Key of the keyed digests (HMAC-SHA-256) that stand for personal data in audit
   * events: base64url of 32 random bytes. Without it the key is derived from
   * AUTH_SECRET (so changing AUTH_SECRET would change every digest).
   */
  WARDEN_AUDIT_PII_KEY: z
    .string()
    .regex(/^[A-Za-z0-9_-]{43}$/, { error: 'WARDEN_AUDIT_PII_KEY must be base64url of 32 bytes (43 characters).' })
    .optional(),
});

export type Env = z.infer<typeof EnvSchema>;

let cached: Env | undefined;

/** Returns the validated environment. Throws naming the bad variables (not their values). */
export function env(): Env {
  if (cached) return cached;
  const parsed = EnvSchema.safeParse(process.env);
  if (!parsed.success) {
    const names = parsed.error.issues.map((i) => i.path.join('.')).join(', ');
    throw new Error(`Invalid environment configuration: ${names}. See README "Configuration".`);
  }
  cached = parsed.data;
  return cached;
}

/** The session-cookie secret. Production refuses to run without one. */
export function authSecret(): string {
  const e = env();
  if (e.AUTH_SECRET) return e.AUTH_SECRET;
  if (e.NODE_ENV === 'production') {
    throw new Error('AUTH_SECRET is not set. Run `npm run demo` once or see README "Configuration".');
  }
  return 'warden-development-only-secret-do-not-use-in-production';
}

/**
 * True when the configured origin is https (cookies get Secure and the __Host-
 * prefix). Plain http is accepted only for a loopback origin (local use and
 * tests) unless WARDEN_ALLOW_INSECURE_HTTP says a TLS proxy you trust is in front.
 */
export function isSecureOrigin(): boolean {
  const url = new URL(env().APP_URL);
  if (url.protocol === 'https:') return true;
  const loopback = ['localhost', '127.0.0.1', '[::1]'].includes(url.hostname);
  if (!loopback && !env().WARDEN_ALLOW_INSECURE_HTTP) {
    throw new Error('APP_URL must be https:// outside localhost (or set WARDEN_ALLOW_INSECURE_HTTP=1 behind a TLS proxy).');
  }
  return false;
}

/**
 * Test hooks (server clock control) exist only when the build was made with
 * WARDEN_E2E_BUILD=1 (inlined by next.config at build time) AND the server runs
 * with WARDEN_TEST_HOOKS=1. A normal production build contains neither.
 */
export function testHooksEnabled(): boolean {
  return process.env.WARDEN_E2E_BUILD === '1' && env().WARDEN_TEST_HOOKS;
}
