/**
 * Turns what a client posted into a plain object for zod. FormData with a key
 * given twice is refused (T27: duplicate keys must not pick a winner silently),
 * and prototype-pollution keys never reach a schema.
 */
const FORBIDDEN_KEYS = new Set(['__proto__', 'prototype', 'constructor']);

export function toPlainInput(raw: unknown): { ok: true; value: unknown } | { ok: false; message: string } {
  if (raw instanceof FormData) {
    const out: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
    for (const [key, value] of raw.entries()) {
      if (key.startsWith('$ACTION_')) continue; // Next.js's own progressive-enhancement fields
      if (FORBIDDEN_KEYS.has(key)) return { ok: false, message: 'The request contained a field that is not allowed.' };
      if (key in out) return { ok: false, message: `The field "${key.slice(0, 40)}" was sent twice.` };
      if (typeof value !== 'string') return { ok: false, message: 'Files are not accepted here.' };
      out[key] = value;
    }
    return { ok: true, value: { ...out } };
  }
  if (raw === undefined || raw === null) return { ok: true, value: {} };
  if (typeof raw === 'object' && !Array.isArray(raw)) {
    if (Object.keys(raw).some((k) => FORBIDDEN_KEYS.has(k))) {
      return { ok: false, message: 'The request contained a field that is not allowed.' };
    }
    // An absent field and a field sent as undefined mean the same; dropping the latter
    // keeps the step-up binding (canonical JSON has no undefined) identical for both.
    return { ok: true, value: Object.fromEntries(Object.entries(raw).filter(([, v]) => v !== undefined)) };
  }
  return { ok: false, message: 'The request was not understood.' };
}
