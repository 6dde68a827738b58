import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { tarDirectory, tarHeader } from './tar';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'warden-tar-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

async function collect(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

describe('tarDirectory (POSIX ustar)', () => {
  it('writes an archive that the system tar extracts byte for byte', async () => {
    const src = path.join(tmp, 'src');
    fs.mkdirSync(src);
    const files: Record<string, Buffer> = {
      'empty.txt': Buffer.alloc(0),
      'exact.bin': Buffer.alloc(512, 7),
      'events.jsonl': Buffer.from('{"seq":1}\n{"seq":2}\n'),
      'large.bin': Buffer.from(Array.from({ length: 70_001 }, (_, i) => (i * 31) % 256)),
      [`${'n'.repeat(96)}.txt`]: Buffer.from('a name of exactly 100 bytes'),
    };
    for (const [name, data] of Object.entries(files)) fs.writeFileSync(path.join(src, name), data);
    const archive = await collect(tarDirectory(src));
    expect(archive.length % 512).toBe(0);
    expect(archive.subarray(archive.length - 1024).equals(Buffer.alloc(1024))).toBe(true);
    const tarFile = path.join(tmp, 'out.tar');
    fs.writeFileSync(tarFile, archive);
    const out = path.join(tmp, 'out');
    fs.mkdirSync(out);
    execFileSync('tar', ['-xf', tarFile, '-C', out]);
    expect(fs.readdirSync(out).sort()).toEqual(Object.keys(files).sort());
    for (const [name, data] of Object.entries(files)) expect(fs.readFileSync(path.join(out, name)).equals(data)).toBe(true);
    const listing = execFileSync('tar', ['-tvf', tarFile], { encoding: 'utf8' });
    expect(listing).toMatch(/^-rw-r--r--/m);
  });

  it('fills the header fields as the spec says, with a valid checksum', () => {
    const header = tarHeader('a.txt', 1234, new Date('2026-11-01T00:00:00Z'));
    expect(header.length).toBe(512);
    expect(header.toString('ascii', 257, 263)).toBe('ustar\0');
    expect(header.toString('ascii', 263, 265)).toBe('00');
    expect(header.toString('ascii', 156, 157)).toBe('0');
    expect(header.toString('ascii', 100, 108)).toBe('0000644\0');
    expect(parseInt(header.toString('ascii', 124, 135), 8)).toBe(1234);
    const copy = Buffer.from(header);
    copy.fill(0x20, 148, 156);
    const sum = copy.reduce((acc, byte) => acc + byte, 0);
    expect(parseInt(header.toString('ascii', 148, 154), 8)).toBe(sum);
  });

  it('refuses names it cannot represent', () => {
    expect(() => tarHeader('x'.repeat(101), 0, new Date())).toThrow(/1 to 100 bytes/);
    expect(() => tarHeader('a/b', 0, new Date())).toThrow(/plain file name/);
  });
});
