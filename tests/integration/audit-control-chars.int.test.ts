/**
 * SECURITY.md T37: control characters, line breaks that fake a second record,
 * terminal escapes and bidi overrides in every field that reaches the audit log
 * (docs/audit-chain-format.md, "Control characters"). Stored as given except NUL
 * (U+FFFD, so PostgreSQL never loses the event), hashed and verified, exported one
 * event per line, and shown escaped.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appendAuditEvent, AuditAppendError, verifyChain, type AuditEventInput } from '@/lib/audit';
import { showControlCharacters } from '@/lib/audit/display';
import { exportAuditBundle } from '@/lib/audit/export';
import { createTestDb, testProviders, type TestDb } from '../helpers/test-db';

const TOOL = path.resolve(import.meta.dirname, '../../tools/warden-verify.mjs');

/** Everything a hostile reason, user agent or target id may carry. */
const PAYLOAD = [
  'line one\n{"seq":99,"operation":"user.delete","fake":true}',
  '\r\nsecond\r',
  'nul\u0000byte',
  '\u001b[31mred\u001b[0m\u001b]0;title\u0007',
  'evil\u202Etxt.exe',
  '\u2066iso\u2067late\u2068d\u2069',
  'mark\u200E\u200F\u200B\uFEFF',
  'c1\u0085\u009b del\u007f sep\u2028\u2029',
  'back\\slash\t',
].join('|');

// Raw characters a viewer must never render (SECURITY.md T37).
const RAW = /[\u0000-\u001F\u007F-\u009F\u061C\u200B-\u200F\u2028-\u202E\u2066-\u2069\uFEFF]/;

const stored = (text: string) => text.replaceAll('\u0000', '\uFFFD');

function hostile(n: number): AuditEventInput {
  return {
    actor: { id: `usr_${n}\u202E\n`, role: 'admin', sessionId: 'ses\u0000\u001b' },
    ip: '203.0.113.7',
    userAgent: `Mozilla/5.0 ${PAYLOAD}`,
    correlationId: `req-${n}\r\n`,
    operation: 'user.suspend',
    target: { type: 'User', id: `usr_target_${n}${PAYLOAD.slice(0, 200)}` },
    outcome: 'success',
    reasonCode: null,
    reason: `ticket ${n}: ${PAYLOAD}`,
    details: { note: PAYLOAD, [`key\n\u0000\u202E${n}`]: ['\u001b[2J', '\u2066'] },
    policyVersion: 'policies@test',
    decision: `rule:${PAYLOAD.slice(0, 100)}`,
  };
}

function runTool(dir: string): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [TOOL, dir], { timeout: 60_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : -1) : 0, out: stdout + stderr });
    });
  });
}

describe.each(testProviders())('T37 control characters in audit fields on %s', (provider) => {
  let t: TestDb;
  let tmp: string;
  const EVENTS = 5;

  beforeAll(async () => {
    t = await createTestDb({ provider });
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'warden-t37-'));
    for (let n = 1; n <= EVENTS; n++) await t.db.$transaction((tx) => appendAuditEvent(tx, hostile(n)));
  }, 120_000);

  afterAll(async () => {
    await t?.cleanup();
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  });

  it(`T37 stores every hostile field (NUL as U+FFFD) and the chain verifies (${provider})`, async () => {
    const row = (await t.db.auditEvent.findUnique({ where: { seq: 2 } }))!;
    const sent = hostile(2);
    expect(row.reason).toBe(stored(sent.reason!));
    expect(row.userAgent).toBe(stored(sent.userAgent!));
    expect(row.targetId).toBe(stored(sent.target!.id));
    expect(row.actorId).toBe(sent.actor!.id);
    expect(row.actorSessionId).toBe('ses\uFFFD\u001b');
    expect(row.correlationId).toBe('req-2\r\n');
    expect(row.decision).toBe(stored(sent.decision!));
    expect(row.reason).not.toContain('\u0000');
    expect(await verifyChain(t.db)).toMatchObject({ ok: true, count: EVENTS, headSeq: EVENTS });
  });

  it(`T37 keeps details as canonical JSON with C0 controls (and NUL) escaped (${provider})`, async () => {
    const row = (await t.db.auditEvent.findUnique({ where: { seq: 3 } }))!;
    expect(row.details).not.toMatch(/[\u0000-\u001F]/);
    expect(row.details).toContain('\\u0000');
    expect(row.details).toContain('\\n');
    expect(row.details).toContain('\\u001b[31m');
    expect(JSON.parse(row.details)).toEqual(hostile(3).details);
  });

  it(`T37 rejects a reasonCode with control characters as invalid input, writing nothing (${provider})`, async () => {
    for (const reasonCode of ['bad\ncode', 'x\u0000', '\u001b[31m', 'a\u202Eb', 'a\u2066b', 'a\u200Eb']) {
      const error: unknown = await t.db
        .$transaction((tx) => appendAuditEvent(tx, { ...hostile(9), reasonCode }))
        .then(
          () => null,
          (e: unknown) => e,
        );
      expect(error).toBeInstanceOf(AuditAppendError);
      expect((error as AuditAppendError).code).toBe('invalid_input');
      expect((error as AuditAppendError).message).toContain('reasonCode');
    }
    expect(await t.db.auditEvent.count()).toBe(EVENTS);
  });

  it(`T37 exports exactly one line per event, and the standalone verifier proves the bundle (${provider})`, async () => {
    const dir = path.join(tmp, 'bundle');
    const result = await exportAuditBundle(t.db, { from: 1, to: EVENTS, outDir: dir, publicKeysFile: path.join(tmp, 'none.json') });
    expect(result.count).toBe(EVENTS);
    const text = fs.readFileSync(path.join(dir, 'events.jsonl'), 'utf8');
    expect(text.endsWith('\n')).toBe(true);
    const lines = text.split('\n').slice(0, -1);
    expect(lines).toHaveLength(EVENTS);
    for (const line of lines) expect(line).not.toMatch(/[\u0000-\u001F]/);
    const events = lines.map((l) => JSON.parse(l) as { seq: number; reason: string; details: unknown });
    expect(events.map((e) => e.seq)).toEqual([1, 2, 3, 4, 5]);
    expect(events[0]!.reason).toBe(stored(hostile(1).reason!));
    expect(events[0]!.details).toEqual(hostile(1).details);
    const run = await runTool(dir);
    expect(run.code, run.out).toBe(0);
    expect(run.out).toContain(`PROVEN  ${EVENTS} events, seq 1 to ${EVENTS}`);
  });

  it(`T37 shows every stored free-text field with no raw control or bidi character (${provider})`, async () => {
    const row = (await t.db.auditEvent.findUnique({ where: { seq: 1 } }))!;
    for (const value of [row.reason, row.userAgent, row.targetId, row.actorId, row.actorSessionId, row.decision, row.details]) {
      expect(RAW.test(value!)).toBe(true);
      const shown = showControlCharacters(value!);
      expect(RAW.test(shown)).toBe(false);
      expect(shown.split('\n')).toHaveLength(1);
    }
    const shown = showControlCharacters(row.reason!);
    expect(shown).toContain('line one\\n{"seq":99');
    expect(shown).toContain('\\u{1B}[31mred');
    expect(shown).toContain('evil\\u{202E}txt.exe');
    expect(shown).toContain('\\u{2066}iso\\u{2067}');
    expect(shown).toContain('mark\\u{200E}\\u{200F}\\u{200B}\\u{FEFF}');
    expect(shown).toContain('nul\uFFFDbyte');
  });
});
