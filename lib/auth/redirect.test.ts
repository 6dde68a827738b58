import { describe, expect, it } from 'vitest';
import { safeRedirectPath } from './redirect';

const origin = 'http://localhost:3000';

describe('T34 post-sign-in redirect targets', () => {
  it.each([
    ['/users?page=2', '/users?page=2'],
    ['/account/sessions#x', '/account/sessions#x'],
    ['/', '/'],
  ])('keeps the same-origin path %s', (input, expected) => {
    expect(safeRedirectPath(input, origin)).toBe(expected);
  });

  it.each([
    'https://evil.example/',
    '//evil.example',
    '/\\evil.example',
    '\\\\evil.example',
    '/%2F/evil.example',
    '/%5Cevil.example',
    '/\t/evil.example',
    'javascript:alert(1)',
    'http:evil.example',
    ' //evil.example',
    '/%0d%0aSet-Cookie:x=y',
    '/api/health',
    '',
    undefined,
    42,
  ])('falls back to / for %s', (input) => {
    expect(safeRedirectPath(input, origin)).toBe('/');
  });
});
