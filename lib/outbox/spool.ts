import 'server-only';
import fs from 'node:fs';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { now } from '@/lib/clock';
import { env } from '@/lib/env';

/**
 * Outgoing messages to end users, written to a spool directory
 * (WARDEN_OUTBOX_DIR) as RFC 5322 files for the mail system to pick up and
 * deliver (docs/support-desk.md "Messages to requesters"). Warden never opens
 * an SMTP connection itself. A message can carry a credential (an invitation or
 * password-reset link), so the directory is 0700 and each file 0600, and no
 * console page shows a message: the support agent who sends one never sees it.
 */
export interface OutgoingMessage {
  to: string;
  subject: string;
  text: string;
}

/** A header value on one line: CR, LF and other controls cannot start a new header (header injection). */
function headerValue(value: string): string {
  return value.replace(/[\u0000-\u001F\u007F]/g, ' ').trim();
}

/** RFC 2047 encoded-word for a non-ASCII subject. */
function encodedSubject(subject: string): string {
  const clean = headerValue(subject);
  return /^[\x20-\x7E]*$/.test(clean) ? clean : `=?UTF-8?B?${Buffer.from(clean, 'utf8').toString('base64')}?=`;
}

/**
 * Writes one message to the spool, atomically (a temporary name, then a rename,
 * so the mail system never picks up half a file). Returns the message id.
 * Throws if it cannot be written, so the caller's transaction rolls back.
 */
export function spoolMessage(message: OutgoingMessage): string {
  const dir = env().WARDEN_OUTBOX_DIR;
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  // Also when it already existed with wider permissions (mkdir's mode applies only to a new directory).
  fs.chmodSync(dir, 0o700);
  const id = randomUUID();
  const at = now();
  const body = message.text.replace(/\r?\n/g, '\r\n');
  const data = [
    `From: ${headerValue(env().WARDEN_MAIL_FROM)}`,
    `To: ${headerValue(message.to)}`,
    `Subject: ${encodedSubject(message.subject)}`,
    `Date: ${at.toUTCString()}`,
    `Message-ID: <${id}@warden>`,
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=utf-8',
    'Content-Transfer-Encoding: 8bit',
    '',
    body,
    '',
  ].join('\r\n');
  const name = `${at.toISOString().replace(/[:.]/g, '-')}-${id}.eml`;
  const temp = path.join(dir, `.${name}.tmp`);
  fs.writeFileSync(temp, data, { mode: 0o600, flag: 'wx' });
  fs.renameSync(temp, path.join(dir, name));
  return id;
}
