/**
 * Turns what a client posted into a plain object for zod. FormData with a key
 * given twice is refused (T27: duplicate keys must not pick a winner silently),
 * prototype-pollution keys never reach a schema, and an input too large or too
 * deep for any operation is refused before a schema walks it (T36).
 */
const FORBIDDEN_KEYS = new Set(['__proto__', 'prototype', 'constructor']);

/**
 * Per-action input limits (T36). Next.js caps the whole request body
 * (next.config.mjs serverActions.bodySizeLimit, answered with 413); these cap
 * what one action's decoded input may hold. No operation takes more than a few
 * 10,000-character fields, so anything past them is an attack or a bug.
 */
export const INPUT_LIMITS = {
  /** Characters of strings and keys, plus a few per other value: roughly the JSON size. */
  maxSize: 64 * 1024,
  /** Nesting of objects and arrays. */
  maxDepth: 32,
  /** Values (object entries and array items) in the whole input. */
  maxNodes: 10_000,
} as const;

type Plain = { ok: true; value: unknown } | { ok: false; message: string };

const TOO_LARGE = 'The request is too large.';
const NOT_ALLOWED = 'The request contained a field that is not allowed.';

export function toPlainInput(raw: unknown): Plain {
  if (raw instanceof FormData) {
    const out: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
    let size = 0;
    for (const [key, value] of raw.entries()) {
      if (key.startsWith('$ACTION_')) continue; // Next.js's own progressive-enhancement fields
      if (FORBIDDEN_KEYS.has(key)) return { ok: false, message: NOT_ALLOWED };
      if (key in out) return { ok: false, message: `The field "${key.slice(0, 40)}" was sent twice.` };
      if (typeof value !== 'string') return { ok: false, message: 'Files are not accepted here.' };
      size += key.length + value.length + 4;
      if (size > INPUT_LIMITS.maxSize) return { ok: false, message: TOO_LARGE };
      out[key] = value;
    }
    return { ok: true, value: { ...out } };
  }
  if (raw === undefined || raw === null) return { ok: true, value: {} };
  if (typeof raw === 'object' && !Array.isArray(raw)) {
    const shape = checkShape(raw);
    if (shape) return { ok: false, message: shape };
    // An absent field and a field sent as undefined mean the same; dropping the latter
    // keeps the step-up binding (canonical JSON has no undefined) identical for both.
    return { ok: true, value: Object.fromEntries(Object.entries(raw).filter(([, v]) => v !== undefined)) };
  }
  return { ok: false, message: 'The request was not understood.' };
}

/**
 * Walks the input once, iteratively (a 10,000-level nesting cannot overflow the
 * stack), and stops at the first limit: forbidden keys at any depth, too deep,
 * too many values, too large, or anything that is not plain data (class
 * instances, functions, getters' owners with a foreign prototype). Returns the
 * refusal message, or null when the input may go on to its schema.
 */
function checkShape(root: object): string | null {
  const stack: { value: unknown; depth: number }[] = [{ value: root, depth: 1 }];
  let size = 0;
  let nodes = 0;
  while (stack.length > 0) {
    const { value, depth } = stack.pop()!;
    switch (typeof value) {
      case 'string':
        size += value.length + 2;
        break;
      case 'number':
      case 'boolean':
      case 'bigint':
      case 'undefined':
        size += 8;
        break;
      case 'object': {
        if (value === null) {
          size += 4;
          break;
        }
        if (depth > INPUT_LIMITS.maxDepth) return TOO_LARGE;
        if (value instanceof Date) {
          size += 24;
          break;
        }
        const proto = Object.getPrototypeOf(value) as unknown;
        const isArray = Array.isArray(value);
        if (!isArray && proto !== Object.prototype && proto !== null) return 'The request was not understood.';
        size += 2;
        if (isArray) {
          nodes += value.length;
          if (nodes > INPUT_LIMITS.maxNodes) return TOO_LARGE;
          for (const item of value as unknown[]) stack.push({ value: item, depth: depth + 1 });
        } else {
          const keys = Reflect.ownKeys(value);
          nodes += keys.length;
          if (nodes > INPUT_LIMITS.maxNodes) return TOO_LARGE;
          for (const key of keys) {
            if (typeof key !== 'string' || FORBIDDEN_KEYS.has(key)) return NOT_ALLOWED;
            size += key.length + 3;
            stack.push({ value: (value as Record<string, unknown>)[key], depth: depth + 1 });
          }
        }
        break;
      }
      default:
        // functions and symbols are not data
        return 'The request was not understood.';
    }
    if (size > INPUT_LIMITS.maxSize) return TOO_LARGE;
  }
  return null;
}
