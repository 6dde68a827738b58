import { describe, expect, it } from 'vitest';
import { toPlainInput } from './input';

describe('server-action input normalisation', () => {
  it('turns FormData into a plain object and skips Next.js fields', () => {
    const fd = new FormData();
    fd.set('email', 'a@b.c');
    fd.set('$ACTION_ID_abc', '');
    expect(toPlainInput(fd)).toEqual({ ok: true, value: { email: 'a@b.c' } });
  });

  it('T27 refuses a key sent twice instead of picking one', () => {
    const fd = new FormData();
    fd.append('role', 'member');
    fd.append('role', 'superadmin');
    expect(toPlainInput(fd)).toMatchObject({ ok: false });
  });

  it('T36 refuses prototype-pollution keys and non-object bodies', () => {
    const fd = new FormData();
    fd.set('__proto__', 'x');
    expect(toPlainInput(fd)).toMatchObject({ ok: false });
    expect(toPlainInput(JSON.parse('{"__proto__": {"admin": true}}'))).toMatchObject({ ok: false });
    expect(toPlainInput([1, 2])).toMatchObject({ ok: false });
    expect(toPlainInput('text')).toMatchObject({ ok: false });
    expect(({} as Record<string, unknown>).admin).toBeUndefined();
  });

  it('refuses files', () => {
    const fd = new FormData();
    fd.set('f', new Blob(['x']));
    expect(toPlainInput(fd)).toMatchObject({ ok: false });
  });
});
