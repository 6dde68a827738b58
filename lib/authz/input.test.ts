import { describe, expect, it } from 'vitest';
import { INPUT_LIMITS, toPlainInput } from './input';

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

  it('T36 refuses prototype-pollution keys at any depth', () => {
    expect(toPlainInput(JSON.parse('{"a": {"b": [{"__proto__": {"polluted": 1}}]}}'))).toMatchObject({ ok: false });
    expect(toPlainInput({ a: { constructor: { prototype: { polluted: 1 } } } })).toMatchObject({ ok: false });
    expect(toPlainInput({ [Symbol('x')]: 1 })).toMatchObject({ ok: false });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('T36 refuses oversized, too deep and too wide inputs quickly, without recursion', () => {
    let deep: Record<string, unknown> = {};
    const root = deep;
    for (let i = 0; i < 10_000; i++) {
      const next: Record<string, unknown> = {};
      deep.a = next;
      deep = next;
    }
    const started = performance.now();
    expect(toPlainInput(root)).toEqual({ ok: false, message: 'The request is too large.' });
    expect(toPlainInput({ big: 'x'.repeat(2 * 1024 * 1024) })).toEqual({ ok: false, message: 'The request is too large.' });
    expect(toPlainInput({ ids: Array.from({ length: 1_000_000 }, () => 1) })).toEqual({ ok: false, message: 'The request is too large.' });
    const fd = new FormData();
    fd.set('note', 'x'.repeat(INPUT_LIMITS.maxSize + 1));
    expect(toPlainInput(fd)).toEqual({ ok: false, message: 'The request is too large.' });
    expect(performance.now() - started).toBeLessThan(1000);
    // A realistic input with a long note passes.
    expect(toPlainInput({ id: 'u1', reason: 'r'.repeat(10_000), tags: ['a', 'b'] })).toMatchObject({ ok: true });
  });

  it('T36 refuses values that are not plain data', () => {
    expect(toPlainInput({ when: new (class Evil {})() })).toMatchObject({ ok: false });
    expect(toPlainInput({ f: () => 1 })).toMatchObject({ ok: false });
    expect(toPlainInput(new (class Evil {})())).toMatchObject({ ok: false });
  });

  it('refuses files', () => {
    const fd = new FormData();
    fd.set('f', new Blob(['x']));
    expect(toPlainInput(fd)).toMatchObject({ ok: false });
  });
});
