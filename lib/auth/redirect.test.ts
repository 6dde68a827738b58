import { describe, expect, it } from 'vitest';
import { safeRedirectPath } from './redirect';

const origin = 'http://localhost:3000';

describe('T34 post-sign-in redirect targets', () => {
  it.each([
    ['/users?page=2', '/users?page=2'],
    ['/account/sessions#x', '/account/sessions#x'],
    ['/', '/'],
    ['/users/%2F%2Fnot-a-host', '/users/%2F%2Fnot-a-host'],
  ])('T34 keeps the same-origin path %s', (input, expected) => {
    expect(safeRedirectPath(input, origin)).toBe(expected);
  });

  it.each([
    'https://evil.example',
    'https://evil.example/',
    '//evil.example',
    '///evil.example',
    '/\\evil.example',
    '\\\\evil.example',
    '%2F%2Fevil.example',
    'https:%2F%2Fevil.example',
    '/%2F/evil.example',
    '/%2F%2Fevil.example',
    '/%5Cevil.example',
    '/%5C%5Cevil.example',
    '/\t/evil.example',
    '/%09/evil.example',
    '/%0a/evil.example',
    '/.//evil.example',
    '/%2e//evil.example',
    '/..//evil.example',
    '/a/..//evil.example',
    '/%2e%2e//evil.example',
    'javascript:alert(1)',
    'JaVaScRiPt:alert(1)',
    'data:text/html,<script>alert(1)</script>',
    'http:evil.example',
    'http://localhost:3000@evil.example',
    'http://localhost:3000.evil.example/',
    'http://localhost:3000/users',
    ' //evil.example',
    '/%0d%0aSet-Cookie:x=y',
    '/%E0%A4%A',
    '/api/health',
    `/${'a'.repeat(2100)}`,
    '',
    undefined,
    null,
    42,
    ['/users'],
  ])('T34 falls back to / for %s', (input) => {
    expect(safeRedirectPath(input, origin)).toBe('/');
  });

  it('T34 never returns anything a browser would read as another host', () => {
    const tricks = ['/./', '/../', '/%2e/', '/%2E%2E/', '/x/../', '//', '/\\', '/%5c', '/%2f'];
    for (const a of tricks) {
      for (const b of tricks) {
        const out = safeRedirectPath(`${a}${b}evil.example`, origin);
        expect(out.startsWith('/')).toBe(true);
        expect(out.startsWith('//')).toBe(false);
        expect(new URL(out, origin).origin).toBe(origin);
      }
    }
  });
});
