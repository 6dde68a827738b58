import { generateKeyPairSync } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { canonicalize } from './canonical-json';
import { CHECKPOINT_FORMAT, keyIdOf, signCheckpoint, type StoredCheckpoint } from './checkpoint-format';
import {
  appendExternalCheckpoints,
  externalLogExists,
  externalLogPath,
  lastExternalCheckpoint,
  readExternalCheckpoints,
} from './external-log';

const key = generateKeyPairSync('ed25519').privateKey;
const checkpoint = (seq: number, prev: string | null): StoredCheckpoint =>
  signCheckpoint(
    {
      format: CHECKPOINT_FORMAT,
      seq,
      headHash: seq.toString(16).padStart(64, '0'),
      ts: '2026-11-27T23:00:00.000Z',
      keyId: keyIdOf(key),
      prev,
    },
    key,
  );

async function readAll(dir: string) {
  const lines = [];
  for await (const line of readExternalCheckpoints(dir)) lines.push(line);
  return lines;
}

let dir: string;
beforeEach(() => {
  dir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'warden-extlog-')), 'checkpoints');
});
afterEach(() => {
  fs.rmSync(path.dirname(dir), { recursive: true, force: true });
});

describe('external checkpoint log', () => {
  it('creates the directory and appends one canonical line per checkpoint', async () => {
    expect(externalLogExists(dir)).toBe(false);
    expect(lastExternalCheckpoint(dir)).toBeNull();
    expect(await readAll(dir)).toEqual([]);
    const first = checkpoint(10, null);
    const second = checkpoint(20, first.digest);
    appendExternalCheckpoints(dir, [first]);
    appendExternalCheckpoints(dir, [second]);
    expect(fs.readFileSync(externalLogPath(dir), 'utf8')).toBe(`${canonicalize(first)}\n${canonicalize(second)}\n`);
    expect(await readAll(dir)).toEqual([
      { line: 1, checkpoint: first },
      { line: 2, checkpoint: second },
    ]);
    expect(lastExternalCheckpoint(dir)).toEqual(second);
  });

  it('keeps a torn last line from swallowing the next checkpoint', async () => {
    const first = checkpoint(10, null);
    appendExternalCheckpoints(dir, [first]);
    fs.appendFileSync(externalLogPath(dir), '{"format":"warden.chec');
    expect(lastExternalCheckpoint(dir)).toEqual(first);
    const second = checkpoint(20, first.digest);
    appendExternalCheckpoints(dir, [second]);
    const lines = await readAll(dir);
    expect(lines[0]).toEqual({ line: 1, checkpoint: first });
    expect(lines[1]).toMatchObject({ line: 2, error: 'line 2 is not JSON' });
    expect(lines[2]).toEqual({ line: 3, checkpoint: second });
    expect(lastExternalCheckpoint(dir)).toEqual(second);
  });

  it('reports lines that are not stored checkpoints', async () => {
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(externalLogPath(dir), '{"seq":1}\n\n');
    expect(await readAll(dir)).toEqual([{ line: 1, error: expect.stringMatching(/^line 1 is not a stored checkpoint/) as unknown }]);
  });

  it('finds the last checkpoint by reading only the tail of a long log', () => {
    let prev: string | null = null;
    const all: StoredCheckpoint[] = [];
    for (let seq = 1; seq <= 400; seq += 1) {
      const c = checkpoint(seq, prev);
      all.push(c);
      prev = c.digest;
    }
    appendExternalCheckpoints(dir, all);
    expect(fs.statSync(externalLogPath(dir)).size).toBeGreaterThan(64 * 1024);
    expect(lastExternalCheckpoint(dir)).toEqual(all.at(-1));
  });
});
