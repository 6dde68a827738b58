import { describe, expect, it } from 'vitest';
import {
  auditFilterParams,
  describedFilter,
  parseAuditFilter,
  resolveWindow,
  utcToZonedLocal,
  zonedLocalToUtc,
  zoneOffsetMs,
} from './audit-filter';

const NOW = new Date('2026-11-28T12:00:00.000Z');

describe('audit filter parsing (search params are input)', () => {
  it('keeps valid fields and drops invalid ones instead of failing', () => {
    const f = parseAuditFilter({
      window: 'custom',
      from: '2026-11-01T08:30',
      to: 'yesterday',
      tz: 'Not/AZone',
      role: 'root',
      operation: 'user.role_change',
      outcome: 'maybe',
      ip: '203.0.113.999',
      q: '  quarterly review  ',
      targetType: 'User',
      correlationId: 'x'.repeat(129),
    });
    expect(f).toMatchObject({
      window: 'custom',
      from: '2026-11-01T08:30',
      tz: 'UTC',
      operation: 'user.role_change',
      q: 'quarterly review',
      targetType: 'User',
    });
    expect(f.to).toBeUndefined();
    expect(f.role).toBeUndefined();
    expect(f.outcome).toBeUndefined();
    expect(f.ip).toBeUndefined();
    expect(f.correlationId).toBeUndefined();
  });

  it('refuses operations outside the audit catalogue and unknown windows', () => {
    const f = parseAuditFilter({ operation: 'user.drop_table', window: '5y' }, { window: '24h' });
    expect(f.operation).toBeUndefined();
    expect(f.window).toBe('7d');
    expect(parseAuditFilter({}, { window: '24h' }).window).toBe('24h');
  });

  it('accepts IPv6 and an email actor', () => {
    const f = parseAuditFilter({ ip: '2001:db8::1', actor: 'Alice@Example.test' });
    expect(f.ip).toBe('2001:db8::1');
    expect(f.actor).toBe('Alice@Example.test');
  });
});

describe('shareable links', () => {
  it('round-trips a filter through its URL', () => {
    const f = parseAuditFilter({
      window: 'custom',
      from: '2026-11-01T08:30',
      to: '2026-11-02T08:30',
      tz: 'Europe/Berlin',
      operation: 'user.suspend',
      outcome: 'success',
      q: 'fraud',
    });
    const again = parseAuditFilter(Object.fromEntries(auditFilterParams(f)));
    expect(again).toEqual(f);
  });

  it('leaves out custom times and the zone for presets, and applies overrides', () => {
    const f = parseAuditFilter({ window: '24h', from: '2026-11-01T08:30', tz: 'Europe/Berlin', actor: 'usr_1' });
    expect(auditFilterParams(f).toString()).toBe('window=24h&actor=usr_1');
    expect(auditFilterParams(f, { actor: undefined, outcome: 'denied' }).toString()).toBe('window=24h&outcome=denied');
    expect(describedFilter(f)).toEqual({ window: '24h', actor: 'usr_1' });
  });
});

describe('time windows', () => {
  it('presets are relative to now and open at the top (events arriving stay reachable)', () => {
    expect(resolveWindow(parseAuditFilter({ window: '24h' }), NOW)).toEqual({ from: new Date('2026-11-27T12:00:00.000Z'), to: null });
    expect(resolveWindow(parseAuditFilter({ window: 'all' }), NOW)).toEqual({ from: null, to: null });
  });

  it('custom wall-clock times are read in the viewer’s zone', () => {
    const f = parseAuditFilter({ window: 'custom', from: '2026-07-01T09:00', to: '2026-07-01T17:30', tz: 'Europe/Berlin' });
    expect(resolveWindow(f, NOW)).toEqual({ from: new Date('2026-07-01T07:00:00.000Z'), to: new Date('2026-07-01T15:30:00.000Z') });
    expect(zonedLocalToUtc('2026-01-15T09:00', 'Asia/Kolkata').toISOString()).toBe('2026-01-15T03:30:00.000Z');
    expect(zonedLocalToUtc('2026-01-15T09:00', 'America/New_York').toISOString()).toBe('2026-01-15T14:00:00.000Z');
    expect(zonedLocalToUtc('2026-01-15T09:00', 'UTC').toISOString()).toBe('2026-01-15T09:00:00.000Z');
  });

  it('handles daylight-saving changes', () => {
    // Europe/Berlin springs forward on 2026-03-29 at 02:00 (02:30 does not exist) and falls back on 2026-10-25 (02:30 happens twice).
    expect(zonedLocalToUtc('2026-03-29T01:30', 'Europe/Berlin').toISOString()).toBe('2026-03-29T00:30:00.000Z');
    expect(zonedLocalToUtc('2026-03-29T03:30', 'Europe/Berlin').toISOString()).toBe('2026-03-29T01:30:00.000Z');
    expect(zonedLocalToUtc('2026-10-25T02:30', 'Europe/Berlin').toISOString()).toBe('2026-10-25T00:30:00.000Z');
    expect(zoneOffsetMs(new Date('2026-07-01T00:00:00Z'), 'Europe/Berlin')).toBe(2 * 3600_000);
    expect(zoneOffsetMs(new Date('2026-12-01T00:00:00Z'), 'Europe/Berlin')).toBe(3600_000);
    expect(utcToZonedLocal(new Date('2026-07-01T07:00:00Z'), 'Europe/Berlin')).toBe('2026-07-01T09:00');
  });
});

describe('custom windows in links', () => {
  it('keep their zone even when it is UTC, so a shared link means the same instants for everyone', () => {
    const f = parseAuditFilter({ window: 'custom', from: '2026-11-01T08:30:15', to: '2026-11-01T09:00', tz: 'UTC' });
    expect(auditFilterParams(f).get('tz')).toBe('UTC');
    expect(resolveWindow(parseAuditFilter({ ...Object.fromEntries(auditFilterParams(f)) }), NOW).from?.toISOString()).toBe(
      '2026-11-01T08:30:15.000Z',
    );
  });
});
