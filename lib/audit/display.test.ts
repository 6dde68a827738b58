import { describe, expect, it } from 'vitest';
import { showControlCharacters, showControlCharactersOrNull } from './display';

// Anything a viewer must never render raw (SECURITY.md T37).
const RAW = /[\u0000-\u001F\u007F-\u009F\u061C\u200B-\u200F\u2028-\u202E\u2066-\u2069\uFEFF]/;

describe('showControlCharacters (T37)', () => {
  it('leaves ordinary text, other scripts and emoji unchanged', () => {
    for (const text of ['created user 7', 'prüfung — ok', 'שלום עולם', '用户', 'ok 👍🏽', '']) {
      expect(showControlCharacters(text)).toBe(text);
    }
  });

  it('shows line breaks and tabs in short form, so one row cannot look like two', () => {
    expect(showControlCharacters('line one\n{"seq":8}\r\nx\ty')).toBe('line one\\n{"seq":8}\\r\\nx\\ty');
  });

  it('escapes the backslash, so typed "\\n" and a real line break differ', () => {
    expect(showControlCharacters('a\\nb')).toBe('a\\\\nb');
    expect(showControlCharacters('a\nb')).not.toBe(showControlCharacters('a\\nb'));
  });

  it('shows NUL, terminal escapes, DEL and C1 controls as \\u{…}', () => {
    expect(showControlCharacters('a\u0000b')).toBe('a\\u{00}b');
    expect(showControlCharacters('\u001b[31mred\u001b[0m')).toBe('\\u{1B}[31mred\\u{1B}[0m');
    expect(showControlCharacters('\u007f\u0085\u009b')).toBe('\\u{7F}\\u{85}\\u{9B}');
  });

  it('shows bidi overrides, isolates, marks, zero-width characters, separators and the BOM', () => {
    expect(showControlCharacters('evil\u202Etxt.exe')).toBe('evil\\u{202E}txt.exe');
    expect(showControlCharacters('\u2066\u2067\u2068\u2069')).toBe('\\u{2066}\\u{2067}\\u{2068}\\u{2069}');
    expect(showControlCharacters('\u200B\u200C\u200D\u200E\u200F')).toBe('\\u{200B}\\u{200C}\\u{200D}\\u{200E}\\u{200F}');
    expect(showControlCharacters('\u202A\u202B\u202C\u202D')).toBe('\\u{202A}\\u{202B}\\u{202C}\\u{202D}');
    expect(showControlCharacters('\u2028\u2029\uFEFF\u061C')).toBe('\\u{2028}\\u{2029}\\u{FEFF}\\u{61C}');
  });

  it('shows lone surrogates but keeps surrogate pairs', () => {
    expect(showControlCharacters('a\uD800b\uDC00')).toBe('a\\u{D800}b\\u{DC00}');
    expect(showControlCharacters('\uD83D\uDE00')).toBe('😀');
  });

  it('leaves no raw control or format character for any code unit below U+10000', () => {
    let all = '';
    for (let c = 0; c < 0x10000; c++) if (c < 0xd800 || c > 0xdfff) all += String.fromCharCode(c);
    expect(RAW.test(showControlCharacters(all))).toBe(false);
  });

  it('keeps null as null', () => {
    expect(showControlCharactersOrNull(null)).toBeNull();
    expect(showControlCharactersOrNull(undefined)).toBeNull();
    expect(showControlCharactersOrNull('a\nb')).toBe('a\\nb');
  });
});
