import 'server-only';
import fs from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';

/**
 * A minimal POSIX ustar writer (IEEE Std 1003.1, "pax" utility, ustar interchange
 * format) for a flat directory of regular files, so the console can hand out an
 * export bundle (docs/audit-chain-format.md, "Export bundle") as one download
 * without a dependency. Each file is a 512-byte header (name ≤ 100 bytes, mode
 * 0644, size and mtime in octal, typeflag '0', magic "ustar\0", version "00",
 * checksum computed with the checksum field as spaces) followed by its data padded
 * to 512 bytes; the archive ends with two zero blocks.
 */

const BLOCK = 512;

/** Writes `value` as a zero-padded octal number of `width - 1` digits and a NUL. */
function octal(header: Buffer, offset: number, width: number, value: number): void {
  const digits = value.toString(8);
  if (digits.length > width - 1) throw new Error(`tar: ${value} does not fit a ${width}-byte octal field`);
  header.write(digits.padStart(width - 1, '0') + '\0', offset, width, 'ascii');
}

/** The ustar header block of a regular file. */
export function tarHeader(name: string, size: number, mtime: Date): Buffer {
  const nameBytes = Buffer.from(name, 'utf8');
  if (nameBytes.length === 0 || nameBytes.length > 100 || name.includes('/')) {
    throw new Error(`tar: "${name}" must be a plain file name of 1 to 100 bytes`);
  }
  const header = Buffer.alloc(BLOCK, 0);
  nameBytes.copy(header, 0); // name[100]
  octal(header, 100, 8, 0o644); // mode
  octal(header, 108, 8, 0); // uid
  octal(header, 116, 8, 0); // gid
  octal(header, 124, 12, size); // size
  octal(header, 136, 12, Math.floor(mtime.getTime() / 1000)); // mtime
  header.fill(0x20, 148, 156); // chksum: spaces while summing
  header.write('0', 156, 1, 'ascii'); // typeflag: regular file
  header.write('ustar\0', 257, 6, 'ascii'); // magic
  header.write('00', 263, 2, 'ascii'); // version
  let sum = 0;
  for (const byte of header) sum += byte;
  header.write(sum.toString(8).padStart(6, '0') + '\0 ', 148, 8, 'ascii');
  return header;
}

/** The zero padding that completes `size` bytes of data to a whole block. */
function padding(size: number): Buffer {
  return Buffer.alloc((BLOCK - (size % BLOCK)) % BLOCK, 0);
}

/** Yields the tar archive of the regular files in `dir` (sorted by name), block by block. */
export async function* tarChunks(dir: string): AsyncGenerator<Buffer> {
  const names = (await fs.promises.readdir(dir, { withFileTypes: true }))
    .map((entry) => {
      if (!entry.isFile()) throw new Error(`tar: ${entry.name} in ${dir} is not a regular file`);
      return entry.name;
    })
    .sort();
  for (const name of names) {
    const file = path.join(dir, name);
    const stat = await fs.promises.stat(file);
    yield tarHeader(name, stat.size, stat.mtime);
    let written = 0;
    for await (const chunk of fs.createReadStream(file)) {
      written += (chunk as Buffer).length;
      yield chunk as Buffer;
    }
    if (written !== stat.size) throw new Error(`tar: ${name} changed while it was archived`);
    const pad = padding(stat.size);
    if (pad.length > 0) yield pad;
  }
  yield Buffer.alloc(BLOCK * 2, 0);
}

/** The tar archive of a flat directory of regular files, as a stream. */
export function tarDirectory(dir: string): Readable {
  return Readable.from(tarChunks(dir), { objectMode: false });
}
