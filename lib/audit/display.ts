/**
 * Safe display of audit text (SECURITY.md T37, docs/audit-chain-format.md
 * "Control characters"). Stored event fields keep exactly what was hashed; a
 * viewer passes every free-text field (actor id, target, reason code, IP,
 * reason) through {@link showControlCharacters} so that a line break cannot fake
 * a second row, a terminal escape cannot recolour a copied log, and a bidi
 * override cannot reorder what the auditor reads.
 *
 * Pure and free of server-only imports: used by Server Components and tests.
 */

// C0 controls, DEL and C1 controls; the Arabic letter mark; zero-width and
// directional marks U+200B–U+200F; line/paragraph separators U+2028–U+2029;
// embeddings and overrides U+202A–U+202E; isolates U+2066–U+2069; BOM U+FEFF;
// lone surrogates; and the backslash itself, so `\n` typed by a user and an
// escaped line break never look the same.
const SHOWN_ESCAPED =
  /[\\\u0000-\u001F\u007F-\u009F\u061C\u200B-\u200F\u2028-\u202E\u2066-\u2069\uFEFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

const SHORT_FORMS: Readonly<Record<string, string>> = {
  '\\': '\\\\',
  '\n': '\\n',
  '\r': '\\r',
  '\t': '\\t',
};

/**
 * Returns `text` with every control, bidi and invisible format character
 * replaced by a visible escape: `\n`, `\r`, `\t`, `\\` for a backslash, and
 * `\u{XXXX}` (uppercase hex, at least two digits) for the rest, e.g. `\u{1B}`
 * for ESC and `\u{202E}` for RIGHT-TO-LEFT OVERRIDE. Ordinary text, including
 * non-Latin scripts and emoji, is returned unchanged.
 */
export function showControlCharacters(text: string): string {
  return text.replace(SHOWN_ESCAPED, (ch) => SHORT_FORMS[ch] ?? `\\u{${ch.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}}`);
}

/** {@link showControlCharacters} for nullable fields: null and undefined stay null. */
export function showControlCharactersOrNull(text: string | null | undefined): string | null {
  return text == null ? null : showControlCharacters(text);
}
