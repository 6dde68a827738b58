import { describe, expect, it } from 'vitest';
import { CONFIG_TIERS } from '@/policies/rules';
import {
  CONFIG_KEYS,
  configValueAsInput,
  displayConfigValue,
  formatDuration,
  highestTier,
  parseConfigInput,
  parseDuration,
  type ConfigKeyDefinition,
} from './keys';

const key = (k: string) => CONFIG_KEYS.find((d) => d.key === k) as ConfigKeyDefinition;

describe('configuration registry', () => {
  it('every key has a tier, a description and a default its own schema accepts', () => {
    const seen = new Set<string>();
    for (const def of CONFIG_KEYS) {
      expect(seen.has(def.key), def.key).toBe(false);
      seen.add(def.key);
      expect(CONFIG_TIERS).toContain(def.tier);
      expect(def.description.length).toBeGreaterThan(20);
      if (def.type === 'secret') expect(def.default).toBeNull();
      else expect(def.schema.safeParse(def.default).success, def.key).toBe(true);
    }
  });

  it('the security settings are critical and can only tighten the SECURITY.md numbers', () => {
    for (const k of [
      'session.absolute_lifetime',
      'session.idle_timeout',
      'session.superadmin_idle_timeout',
      'mfa.step_up_methods',
      'approvals.expiry',
      'audit.trail_notes',
    ]) {
      expect(key(k).tier, k).toBe('critical');
    }
    expect(parseConfigInput(key('session.absolute_lifetime'), '13h')).toEqual({ ok: false, message: 'At most 12h.' });
    expect(parseConfigInput(key('session.idle_timeout'), '31m')).toMatchObject({ ok: false });
    expect(parseConfigInput(key('session.superadmin_idle_timeout'), '16m')).toMatchObject({ ok: false });
    expect(parseConfigInput(key('session.absolute_lifetime'), '8h')).toEqual({ ok: true, value: 8 * 3_600_000 });
  });

  it('secrets are write-only keys of their own type', () => {
    const secret = key('alerts.webhook_secret');
    expect(secret.type).toBe('secret');
    expect(parseConfigInput(secret, 'short')).toMatchObject({ ok: false });
    expect(parseConfigInput(secret, 'x'.repeat(40))).toEqual({ ok: true, value: 'x'.repeat(40) });
  });
});

describe('typed values from form text', () => {
  it('durations', () => {
    expect(parseDuration('90s')).toBe(90_000);
    expect(parseDuration('1h30m')).toBe(5_400_000);
    expect(parseDuration(' 2d ')).toBe(172_800_000);
    for (const bad of ['', '12', 'h', '1.5h', '-1h', '1w', '1h 30']) expect(parseDuration(bad), bad).toBeNull();
    expect(formatDuration(5_400_000)).toBe('1h 30m');
    expect(configValueAsInput(key('session.absolute_lifetime'), 5_400_000)).toBe('1h30m');
  });

  it('numbers, enums, JSON and text give clear messages and no value when wrong', () => {
    expect(parseConfigInput(key('tickets.page_size'), 'ten')).toEqual({ ok: false, message: 'Enter a whole number.' });
    expect(parseConfigInput(key('tickets.page_size'), '5')).toEqual({ ok: false, message: 'At least 10.' });
    expect(parseConfigInput(key('tickets.page_size'), '50')).toEqual({ ok: true, value: 50 });
    expect(parseConfigInput(key('mfa.step_up_methods'), 'none')).toEqual({ ok: false, message: 'Choose one of the listed methods.' });
    expect(parseConfigInput(key('audit.trail_notes'), '{')).toEqual({ ok: false, message: 'Enter valid JSON.' });
    expect(parseConfigInput(key('audit.trail_notes'), '{"retainDays": 10, "exportedTo": ""}')).toEqual({
      ok: false,
      message: 'Keep the trail at least 365 days.',
    });
    expect(parseConfigInput(key('audit.trail_notes'), '{"retainDays": 400, "exportedTo": "", "extra": 1}')).toMatchObject({ ok: false });
    expect(parseConfigInput(key('console.banner'), 'Maintenance \u202Etonight')).toMatchObject({ ok: false });
    expect(parseConfigInput(key('console.banner'), '<script>alert(1)</script>')).toEqual({ ok: true, value: '<script>alert(1)</script>' });
  });

  it('displays values in words', () => {
    expect(displayConfigValue(key('session.idle_timeout'), 1_800_000)).toBe('30m');
    expect(displayConfigValue(key('mfa.step_up_methods'), 'passkey_only')).toBe('Passkey only');
    expect(displayConfigValue(key('console.banner'), '')).toBe('(empty)');
  });

  it('the highest tier of a change set decides its review', () => {
    expect(highestTier([])).toBe('normal');
    expect(highestTier(['normal', 'sensitive'])).toBe('sensitive');
    expect(highestTier(['sensitive', 'critical', 'normal'])).toBe('critical');
  });
});
