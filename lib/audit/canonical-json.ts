/**
 * JSON Canonicalization Scheme (JCS), RFC 8785, written out here instead of taken
 * from a dependency: the audit hash depends on every byte of this output, so the
 * rules are kept in one short file that a reviewer can check against the RFC.
 *
 * Pure and free of server-only imports, so that an offline verifier can reuse it.
 *
 * The input is a JavaScript value, not JSON text. RFC 8785 §3.1 requires the data
 * to be I-JSON (RFC 7493): strings of valid Unicode, IEEE 754 double numbers, no
 * duplicate member names. JavaScript objects cannot hold duplicate names and all
 * numbers are doubles; what remains to check is done here, and anything that is
 * not plain JSON (undefined, functions, symbols, bigint, Date, Map, class
 * instances, sparse arrays, cycles) is rejected instead of being silently dropped
 * or converted, as JSON.stringify would do.
 */

/** A JSON value as JCS accepts it. */
export type JsonValue = null | boolean | number | string | JsonValue[] | JsonObject;

/** A JSON object (the shape of an audit event's `details`). */
export interface JsonObject {
  [key: string]: JsonValue;
}

/**
 * Thrown when a value cannot be canonicalized. `path` names the offending place
 * (`$.a[2].b`) and the message says why, never what the value was, so the error
 * can be shown or logged without leaking event contents.
 */
export class CanonicalJsonError extends Error {
  readonly path: string;

  constructor(path: string, reason: string) {
    super(`cannot canonicalize ${path}: ${reason}`);
    this.name = 'CanonicalJsonError';
    this.path = path;
  }
}

// A UTF-16 high surrogate not followed by a low one, or a low one not preceded
// by a high one. Without the `u` flag the regex works on code units.
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** True when the string contains a lone surrogate, i.e. is not valid Unicode (RFC 7493 §2.1). */
export function hasLoneSurrogate(value: string): boolean {
  return LONE_SURROGATE.test(value);
}

/**
 * Serializes `value` as RFC 8785 canonical JSON.
 *
 * - §3.2.1: literals `null`, `true`, `false`; no whitespace anywhere.
 * - §3.2.2.2: strings exactly as ECMAScript JSON.stringify writes them (only `"`,
 *   `\` and U+0000..U+001F are escaped, with the short forms \b \t \n \f \r and
 *   lowercase \u00xx otherwise); lone surrogates are an error.
 * - §3.2.2.3: numbers as ECMAScript Number::toString (ECMA-262 §7.1.12.1), so
 *   -0 becomes `0`; NaN and ±Infinity are an error.
 * - §3.2.3: object members sorted by their names as arrays of UTF-16 code units,
 *   compared without any locale or normalization; array order is kept.
 *
 * The result is a string; §3.2.4 says it is hashed or signed as UTF-8, which is
 * what callers do with it.
 *
 * @throws CanonicalJsonError for anything that is not plain I-JSON data.
 */
export function canonicalize(value: unknown): string {
  return serialize(value, [], []);
}

// Paths are kept as a stack of segments and only turned into text for an error
// message: building a string per member would dominate the cost of verifying a
// long chain.
type PathStack = (string | number)[];

function pathText(path: PathStack): string {
  return path.reduce<string>((text, seg) => (typeof seg === 'number' ? `${text}[${seg}]` : `${text}.${seg}`), '$');
}

function fail(path: PathStack, reason: string): never {
  throw new CanonicalJsonError(pathText(path), reason);
}

function serialize(value: unknown, path: PathStack, ancestors: object[]): string {
  switch (typeof value) {
    case 'string':
      return serializeString(value, path);
    case 'number':
      return serializeNumber(value, path);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'object':
      if (value === null) return 'null';
      return serializeContainer(value, path, ancestors);
    case 'undefined':
      return fail(path, 'undefined is not a JSON value');
    case 'bigint':
      return fail(path, 'bigint is not a JSON value (convert it to a string first)');
    default:
      return fail(path, `${typeof value} is not a JSON value`);
  }
}

// Characters that JSON.stringify escapes, plus surrogates (which need the
// lone-surrogate check). Strings without any of them are written as they are.
const NEEDS_CARE = /[\u0000-\u001f"\\\uD800-\uDFFF]/;

function serializeString(value: string, path: PathStack): string {
  if (!NEEDS_CARE.test(value)) return `"${value}"`;
  if (hasLoneSurrogate(value)) {
    return fail(path, 'string contains a lone surrogate (not valid Unicode, RFC 8785 §3.2.2.2)');
  }
  return JSON.stringify(value);
}

function serializeNumber(value: number, path: PathStack): string {
  if (!Number.isFinite(value)) {
    return fail(path, 'NaN and Infinity are not JSON numbers (RFC 8785 §3.2.2.3)');
  }
  // Number::toString is the serialization RFC 8785 §3.2.2.3 prescribes; it maps -0 to "0".
  return String(value);
}

function serializeContainer(value: object, path: PathStack, ancestors: object[]): string {
  // The open containers on the way down; nesting is shallow, so a list beats a Set.
  if (ancestors.includes(value)) return fail(path, 'circular reference');
  ancestors.push(value);
  try {
    if (Array.isArray(value)) return serializeArray(value, path, ancestors);
    const proto: unknown = Object.getPrototypeOf(value);
    if (proto !== Object.prototype && proto !== null) {
      const kind = value instanceof Date ? 'a Date (convert it to an ISO 8601 string first)' : 'not a plain object';
      return fail(path, `value is ${kind}`);
    }
    if (Object.getOwnPropertySymbols(value).length > 0) return fail(path, 'object has symbol keys');
    return serializeObject(value as Record<string, unknown>, path, ancestors);
  } finally {
    ancestors.pop();
  }
}

function serializeArray(value: unknown[], path: PathStack, ancestors: object[]): string {
  let out = '[';
  for (let i = 0; i < value.length; i++) {
    path.push(i);
    if (!(i in value)) fail(path, 'sparse array hole is not a JSON value');
    out += (i === 0 ? '' : ',') + serialize(value[i], path, ancestors);
    path.pop();
  }
  return `${out}]`;
}

function serializeObject(value: Record<string, unknown>, path: PathStack, ancestors: object[]): string {
  // RFC 8785 §3.2.3: members sorted by name as arrays of UTF-16 code units. The
  // default comparator of Array.prototype.sort (ECMA-262: SortCompare, then
  // IsLessThan on the strings) orders by code units, which is exactly that; it
  // is not localeCompare and applies no normalization.
  const keys = Object.keys(value).sort();
  let out = '{';
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i] as string;
    path.push(key);
    out += `${i === 0 ? '' : ','}${serializeString(key, path)}:${serialize(value[key], path, ancestors)}`;
    path.pop();
  }
  return `${out}}`;
}
