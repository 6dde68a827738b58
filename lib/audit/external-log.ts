import 'server-only';
import fs from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';
import { canonicalize } from './canonical-json';
import { StoredCheckpointSchema, type StoredCheckpoint } from './checkpoint-format';

/**
 * The external checkpoint log (docs/audit-chain-format.md, "Checkpoints"): one JSON
 * Lines file, `checkpoints.jsonl`, in WARDEN_AUDIT_CHECKPOINT_DIR, outside the
 * database. Each line is the RFC 8785 text of one stored checkpoint, in increasing
 * `seq` order. The file is only ever opened for append ('a') and fsynced.
 */
export const EXTERNAL_LOG_FILE = 'checkpoints.jsonl';

/** The log file inside `dir`. */
export function externalLogPath(dir: string): string {
  return path.join(dir, EXTERNAL_LOG_FILE);
}

/**
 * Appends checkpoints as lines: creates the directory, opens the file with flag 'a',
 * writes them in one call, fsyncs and closes. If the file does not end with a
 * newline (a write torn by a crash), a newline is written first, so a partial line
 * never swallows a whole one.
 */
export function appendExternalCheckpoints(dir: string, checkpoints: readonly StoredCheckpoint[]): void {
  if (checkpoints.length === 0) return;
  fs.mkdirSync(dir, { recursive: true });
  const file = externalLogPath(dir);
  const lines = checkpoints.map((c) => `${canonicalize(StoredCheckpointSchema.parse(c))}\n`).join('');
  const prefix = endsWithNewline(file) ? '' : '\n';
  const fd = fs.openSync(file, 'a', 0o644);
  try {
    fs.writeSync(fd, prefix + lines);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

/** True for a missing or empty file, or one whose last byte is a newline. */
function endsWithNewline(file: string): boolean {
  let fd: number;
  try {
    fd = fs.openSync(file, 'r');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return true;
    throw error;
  }
  try {
    const size = fs.fstatSync(fd).size;
    if (size === 0) return true;
    const last = Buffer.alloc(1);
    fs.readSync(fd, last, 0, 1, size - 1);
    return last[0] === 0x0a;
  } finally {
    fs.closeSync(fd);
  }
}

/** One line of the external log: a checkpoint, or why the line is not one. */
export type ExternalLogLine = { line: number; checkpoint: StoredCheckpoint } | { line: number; error: string };

/** Parses one line of the log (1-based `line` for messages). */
export function parseExternalLine(text: string, line: number): ExternalLogLine {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { line, error: `line ${line} is not JSON` };
  }
  const parsed = StoredCheckpointSchema.safeParse(json);
  if (!parsed.success) {
    const fields = parsed.error.issues.map((i) => i.path.join('.') || '(line)').join(', ');
    return { line, error: `line ${line} is not a stored checkpoint (${fields})` };
  }
  return { line, checkpoint: parsed.data };
}

/**
 * Streams the log line by line (constant memory); blank lines are skipped. Yields
 * nothing when the file does not exist (check {@link externalLogExists} to tell an
 * empty log from a missing one).
 */
export async function* readExternalCheckpoints(dir: string): AsyncGenerator<ExternalLogLine> {
  const file = externalLogPath(dir);
  if (!fs.existsSync(file)) return;
  const lines = readline.createInterface({
    input: fs.createReadStream(/*turbopackIgnore: true*/ file, { encoding: 'utf8' }),
    crlfDelay: Infinity,
  });
  let n = 0;
  for await (const text of lines) {
    n += 1;
    if (text.trim() === '') continue;
    yield parseExternalLine(text, n);
  }
}

/** True when `dir` holds a checkpoints.jsonl. */
export function externalLogExists(dir: string): boolean {
  return fs.existsSync(externalLogPath(dir));
}

const TAIL_BYTES = 64 * 1024;

/**
 * The newest well-formed checkpoint in the log, reading only its tail; null when the
 * log is missing or has none there. A torn last line is skipped.
 */
export function lastExternalCheckpoint(dir: string): StoredCheckpoint | null {
  const file = externalLogPath(dir);
  let fd: number;
  try {
    fd = fs.openSync(file, 'r');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
  try {
    const size = fs.fstatSync(fd).size;
    const length = Math.min(size, TAIL_BYTES);
    const buffer = Buffer.alloc(length);
    fs.readSync(fd, buffer, 0, length, size - length);
    const lines = buffer.toString('utf8').split('\n');
    if (length < size) lines.shift(); // the first piece may be a cut line
    for (let i = lines.length - 1; i >= 0; i -= 1) {
      const text = lines[i]?.trim();
      if (!text) continue;
      const parsed = parseExternalLine(text, 0);
      if ('checkpoint' in parsed) return parsed.checkpoint;
    }
    return null;
  } finally {
    fs.closeSync(fd);
  }
}
