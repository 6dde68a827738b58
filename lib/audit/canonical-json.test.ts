import { describe, expect, it } from 'vitest';
import { canonicalize, CanonicalJsonError, hasLoneSurrogate } from './canonical-json';

/** Reads an IEEE 754 double from its 16 hex digit bit pattern, as RFC 8785 Appendix B lists them. */
function doubleFromBits(hex: string): number {
  const view = new DataView(new ArrayBuffer(8));
  view.setBigUint64(0, BigInt(`0x${hex}`));
  return view.getFloat64(0);
}

describe('canonicalize (RFC 8785)', () => {
  it('reproduces the §3.2.2 example (literals, numbers, string escapes)', () => {
    const input = JSON.parse(String.raw`{
      "numbers": [333333333.33333329, 1E30, 4.50, 2e-3, 0.000000000000000000000000001],
      "string": "\u20ac$\u000F\u000aA'\u0042\u0022\u005c\\\"\/",
      "literals": [null, true, false]
    }`) as unknown;
    expect(canonicalize(input)).toBe(
      String.raw`{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],"string":"€$\u000f\nA'B\"\\\\\"/"}`,
    );
  });

  it('sorts members by UTF-16 code units (§3.2.3 example)', () => {
    const input = JSON.parse(String.raw`{
      "\u20ac": "Euro Sign",
      "\r": "Carriage Return",
      "\ufb33": "Hebrew Letter Dalet With Dagesh",
      "1": "One",
      "\ud83d\ude00": "Emoji: Grinning Face",
      "\u0080": "Control",
      "\u00f6": "Latin Small Letter O With Diaeresis"
    }`) as Record<string, string>;
    expect(canonicalize(input)).toBe(
      '{"\\r":"Carriage Return","1":"One","\u0080":"Control","\u00f6":"Latin Small Letter O With Diaeresis",' +
        '"\u20ac":"Euro Sign","\ud83d\ude00":"Emoji: Grinning Face","\ufb33":"Hebrew Letter Dalet With Dagesh"}',
    );
  });

  // RFC 8785 Appendix B: IEEE 754 bit patterns and their canonical text.
  const appendixB: [string, string][] = [
    ['0000000000000000', '0'],
    ['8000000000000000', '0'],
    ['0000000000000001', '5e-324'],
    ['8000000000000001', '-5e-324'],
    ['7fefffffffffffff', '1.7976931348623157e+308'],
    ['ffefffffffffffff', '-1.7976931348623157e+308'],
    ['4340000000000000', '9007199254740992'],
    ['c340000000000000', '-9007199254740992'],
    ['4430000000000000', '295147905179352830000'],
    ['44b52d02c7e14af5', '9.999999999999997e+22'],
    ['44b52d02c7e14af6', '1e+23'],
    ['44b52d02c7e14af7', '1.0000000000000001e+23'],
    ['444b1ae4d6e2ef4e', '999999999999999700000'],
    ['444b1ae4d6e2ef4f', '999999999999999900000'],
    ['444b1ae4d6e2ef50', '1e+21'],
    ['3eb0c6f7a0b5ed8c', '9.999999999999997e-7'],
    ['3eb0c6f7a0b5ed8d', '0.000001'],
    ['41b3de4355555553', '333333333.3333332'],
    ['41b3de4355555554', '333333333.33333325'],
    ['41b3de4355555555', '333333333.3333333'],
    ['41b3de4355555556', '333333333.3333334'],
    ['41b3de4355555557', '333333333.33333343'],
    ['becbf647612f3696', '-0.0000033333333333333333'],
    ['43143ff3c1cb0959', '1424953923781206.2'],
  ];
  it.each(appendixB)('serializes the double with bits %s as %s (Appendix B)', (bits, expected) => {
    expect(canonicalize(doubleFromBits(bits))).toBe(expected);
  });

  it.each(['7fffffffffffffff', '7ff0000000000000', 'fff0000000000000'])(
    'rejects the non-finite double with bits %s (Appendix B: NaN, Infinity)',
    (bits) => {
      expect(() => canonicalize(doubleFromBits(bits))).toThrow(CanonicalJsonError);
    },
  );

  it('writes top-level scalars and empty containers', () => {
    expect(canonicalize(null)).toBe('null');
    expect(canonicalize(true)).toBe('true');
    expect(canonicalize(false)).toBe('false');
    expect(canonicalize('')).toBe('""');
    expect(canonicalize([])).toBe('[]');
    expect(canonicalize({})).toBe('{}');
  });

  it('sorts nested objects, keeps array order and adds no whitespace', () => {
    expect(canonicalize({ b: [3, 1, { z: 1, a: 2 }], a: { d: null, c: 'x' } })).toBe('{"a":{"c":"x","d":null},"b":[3,1,{"a":2,"z":1}]}');
  });

  it('sorts by code units, not code points or locale: U+1F600 (D83D…) before U+FB33', () => {
    expect(canonicalize({ '\uFB33': 1, '\u{1F600}': 2, Z: 3, a: 4 })).toBe('{"Z":3,"a":4,"\u{1F600}":2,"\uFB33":1}');
  });

  it('escapes like JSON.stringify: control characters, quote and backslash only', () => {
    expect(canonicalize('\u0000\u0007\b\t\n\f\r\u001f "\\/\u007f\u2028é😀')).toBe(
      '"\\u0000\\u0007\\b\\t\\n\\f\\r\\u001f \\"\\\\/\u007f\u2028é😀"',
    );
  });

  it('keeps strings as they are (no Unicode normalization)', () => {
    const nfc = 'caf\u00e9';
    const nfd = 'cafe\u0301';
    expect(canonicalize(nfc)).not.toBe(canonicalize(nfd));
  });

  it('accepts objects with a null prototype and a member named __proto__', () => {
    const bare = Object.create(null) as Record<string, unknown>;
    bare.b = 1;
    bare.a = 2;
    expect(canonicalize(bare)).toBe('{"a":2,"b":1}');
    expect(canonicalize(JSON.parse('{"__proto__":1}'))).toBe('{"__proto__":1}');
  });

  it.each([
    ['a lone high surrogate', '\uD83D'],
    ['a lone low surrogate', 'x\uDE00y'],
    ['reversed surrogates', '\uDE00\uD83D'],
  ])('rejects %s in a string value and in a member name', (_name, text) => {
    expect(() => canonicalize(text)).toThrow(/lone surrogate/);
    expect(() => canonicalize({ [text]: 1 })).toThrow(/lone surrogate/);
  });

  it.each([
    ['undefined', undefined],
    ['undefined member', { a: undefined }],
    ['undefined item', [1, undefined]],
    ['sparse array', [1, , 3]],
    ['function', () => 1],
    ['symbol', Symbol('s')],
    ['bigint', 10n],
    ['NaN', Number.NaN],
    ['-Infinity', Number.NEGATIVE_INFINITY],
    ['Date', new Date(0)],
    ['Map', new Map()],
    ['Set', new Set()],
    ['class instance', new (class Point {})()],
    ['boxed string', Object('x')],
    ['symbol key', { [Symbol('k')]: 1 }],
    ['RegExp', /x/],
  ])('rejects %s', (_name, value) => {
    expect(() => canonicalize(value)).toThrow(CanonicalJsonError);
  });

  it('rejects cycles but allows the same object twice in sibling positions', () => {
    const shared = { x: 1 };
    expect(canonicalize({ a: shared, b: shared })).toBe('{"a":{"x":1},"b":{"x":1}}');
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(() => canonicalize(cyclic)).toThrow(/circular/);
  });

  it('names the path of the offending value without echoing it', () => {
    let caught: unknown;
    try {
      canonicalize({ outer: [{ note: 'hunter2\uD800' }] });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(CanonicalJsonError);
    expect((caught as CanonicalJsonError).path).toBe('$.outer[0].note');
    expect((caught as Error).message).not.toContain('hunter2');
  });

  it('is idempotent: parsing canonical output and canonicalizing again gives the same text', () => {
    const value = { n: [0.1, -0, 1e21, 123456789012345680000], s: 'ü\n', o: { b: 1, a: [true] } };
    const once = canonicalize(value);
    expect(canonicalize(JSON.parse(once))).toBe(once);
  });

  it('detects lone surrogates without flagging valid pairs', () => {
    expect(hasLoneSurrogate('😀')).toBe(false);
    expect(hasLoneSurrogate('a\uD83D')).toBe(true);
    expect(hasLoneSurrogate('\uDE00')).toBe(true);
  });
});
