import 'server-only';
import pino from 'pino';
import { env } from '@/lib/env';

/**
 * Structured JSON logs on stdout. Every line about a request carries its
 * correlation id (use `logFor(correlationId)`). Never log secrets, tokens, OTPs or
 * password material (house style 23); the redact list is a safety net, not a licence.
 */
export const log = pino({
  level: env().LOG_LEVEL,
  base: { app: 'warden' },
  timestamp: pino.stdTimeFunctions.isoTime,
  redact: {
    paths: ['password', '*.password', 'token', '*.token', 'secret', '*.secret', 'cookie', '*.cookie'],
    censor: '[redacted]',
  },
});

/** A child logger bound to one request's correlation id. */
export function logFor(correlationId: string) {
  return log.child({ correlationId });
}
