import { describe, expect, it } from 'vitest';
import { sameOriginVerdict, type OriginSignals } from './origin';

const APP = 'http://localhost:3000';
const post = (over: Partial<OriginSignals>): OriginSignals => ({
  method: 'POST',
  origin: null,
  secFetchSite: null,
  secFetchMode: null,
  ...over,
});

describe('same-origin requests (T32, T33)', () => {
  it('T32 accepts a POST whose Origin is the configured origin, with Sec-Fetch-Site same-origin or none', () => {
    expect(sameOriginVerdict(post({ origin: 'http://localhost:3000', secFetchSite: 'same-origin', secFetchMode: 'cors' }), APP)).toEqual({
      ok: true,
    });
    expect(sameOriginVerdict(post({ origin: 'http://localhost:3000', secFetchSite: 'none' }), APP)).toEqual({ ok: true });
    expect(sameOriginVerdict(post({ origin: 'http://LOCALHOST:3000' }), APP)).toEqual({ ok: true });
    expect(sameOriginVerdict(post({ origin: 'https://warden.example' }), 'https://warden.example/')).toEqual({ ok: true });
  });

  it.each([
    ['https://evil.example', 'foreign_origin'],
    ['http://localhost:3001', 'foreign_origin'],
    ['https://localhost:3000', 'foreign_origin'],
    ['http://localhost:3000.evil.example', 'foreign_origin'],
    ['http://localhost:3000@evil.example', 'foreign_origin'],
    ['http://evil.example@localhost:3000', 'foreign_origin'],
    ['http://localhost:3000/anything', 'foreign_origin'],
    ['not a url', 'foreign_origin'],
    ['null', 'null_origin'],
    ['NULL', 'null_origin'],
  ])('T32 refuses Origin %s (%s)', (origin, reason) => {
    expect(sameOriginVerdict(post({ origin }), APP)).toEqual({ ok: false, reason });
  });

  it.each(['cross-site', 'same-site', 'CROSS-SITE', 'something-new'])(
    'T32 refuses Sec-Fetch-Site %s even with the right Origin, on any method',
    (secFetchSite) => {
      expect(sameOriginVerdict(post({ origin: APP, secFetchSite }), APP)).toEqual({ ok: false, reason: 'cross_site_fetch' });
      expect(sameOriginVerdict(post({ method: 'GET', secFetchSite }), APP)).toEqual({ ok: false, reason: 'cross_site_fetch' });
    },
  );

  it('T32 accepts a missing Origin only on a GET or from a non-browser client; a browser POST without Origin is refused', () => {
    expect(sameOriginVerdict(post({ method: 'GET', secFetchSite: 'same-origin', secFetchMode: 'navigate' }), APP)).toEqual({ ok: true });
    expect(sameOriginVerdict(post({ method: 'HEAD' }), APP)).toEqual({ ok: true });
    // curl or a script: no Sec-Fetch-* at all, so no browser carried a victim's cookies here.
    expect(sameOriginVerdict(post({}), APP)).toEqual({ ok: true });
    expect(sameOriginVerdict(post({ origin: '' }), APP)).toEqual({ ok: true });
    expect(sameOriginVerdict(post({ secFetchSite: 'same-origin' }), APP)).toEqual({ ok: false, reason: 'browser_without_origin' });
    expect(sameOriginVerdict(post({ secFetchMode: 'navigate' }), APP)).toEqual({ ok: false, reason: 'browser_without_origin' });
    expect(sameOriginVerdict(post({ method: 'DELETE', secFetchSite: 'none' }), APP)).toEqual({
      ok: false,
      reason: 'browser_without_origin',
    });
  });

  it('T33 compares with the configured origin, never with a Host the sender chose', () => {
    // The headers an attacker controls (Host, X-Forwarded-Host) are not inputs of the decision at all.
    expect(sameOriginVerdict(post({ origin: 'https://evil.example' }), APP)).toEqual({ ok: false, reason: 'foreign_origin' });
    expect(sameOriginVerdict(post({ origin: 'http://localhost:3000' }), 'https://warden.example')).toEqual({
      ok: false,
      reason: 'foreign_origin',
    });
  });
});
