import 'server-only';
import { createHmac, hkdfSync } from 'node:crypto';
import { openSecret } from '@/lib/auth/secret-box';
import { now } from '@/lib/clock';
import { db, type Db, type Tx } from '@/lib/db';
import { authSecret } from '@/lib/env';
import { CONFIG_KEYS, configKey, type ConfigKey, type ConfigKeyDefinition, type ConfigValue, type ConfigValues } from './keys';

/**
 * The one typed way Warden reads its own configuration (issue 8): every value
 * comes from the ConfigEntry rows, validated again by the key's schema on the
 * way out, and falls back to the key's default when no row exists or (fail
 * safe) when a stored value no longer passes its schema. Values are cached for
 * {@link SETTINGS_TTL_MS} per process, so a change made on another instance is
 * in effect within that time; a change made here clears the cache at once.
 */
export const SETTINGS_TTL_MS = 2_000;

type Values = ConfigValues;

const cache = globalThis as unknown as { wardenSettings?: { client: Db; at: number; values: Promise<Values> } };

/** The current value of every non-secret key (cached per database handle). */
export async function currentSettings(): Promise<Values> {
  const client = await db();
  const at = now().getTime();
  const hit = cache.wardenSettings;
  if (hit && hit.client === client && at - hit.at >= 0 && at - hit.at < SETTINGS_TTL_MS) return hit.values;
  const values = loadSettings(client);
  // A failed read is not cached: the next caller tries again.
  values.catch(() => {
    if (cache.wardenSettings?.values === values) cache.wardenSettings = undefined;
  });
  cache.wardenSettings = { client, at, values };
  return values;
}

/** One key's current value. */
export async function setting<K extends ConfigKey>(key: K): Promise<ConfigValue<K>> {
  return (await currentSettings())[key];
}

/** One key's value read through a given client or transaction (no cache): the value of this moment, from that database. */
export async function settingIn<K extends ConfigKey>(tx: Tx | Db, key: K): Promise<ConfigValue<K>> {
  const def = configKey(key);
  const row = await tx.configEntry.findUnique({ where: { key }, select: { value: true } });
  return valueOf(def, row?.value ?? null) as ConfigValue<K>;
}

/** Forgets the cached values (after a change in this process, and in tests). */
export function invalidateSettings(): void {
  cache.wardenSettings = undefined;
}

/** Reads every key's value inside a transaction or client, without the cache. */
export async function loadSettings(client: Db | Tx): Promise<Values> {
  const rows = await client.configEntry.findMany({ select: { key: true, value: true } });
  const stored = new Map(rows.map((r) => [r.key, r.value]));
  const values: Record<string, unknown> = {};
  for (const def of CONFIG_KEYS) values[def.key] = valueOf(def, stored.get(def.key) ?? null);
  return values as unknown as Values;
}

/** A stored value, validated; the default when absent or no longer valid. */
export function valueOf(def: ConfigKeyDefinition, stored: string | null): unknown {
  if (def.type === 'secret' || stored === null) return def.default;
  try {
    const parsed = (def.schema as { safeParse(v: unknown): { success: boolean; data?: unknown } }).safeParse(JSON.parse(stored));
    return parsed.success ? parsed.data : def.default;
  } catch {
    return def.default;
  }
}

/** The AAD a secret of `key` is sealed with: a sealed value moved to another key does not open. */
export function secretAad(key: string): string {
  return `config:${key}`;
}

/** A secret's current value, for the code that uses it (never for display). */
export async function readSecretSetting(key: ConfigKey): Promise<string | null> {
  const def = configKey(key);
  if (def.type !== 'secret') throw new Error(`${key} is not a secret`);
  const client = await db();
  const row = await client.configEntry.findUnique({ where: { key }, select: { secretEnc: true } });
  return row?.secretEnc ? openSecret(row.secretEnc, secretAad(key)) : null;
}

let fingerprintKey: Buffer | undefined;

/**
 * What people see of a secret: a keyed digest (HMAC-SHA-256 with a key derived
 * from AUTH_SECRET), so two entries of the same secret can be told apart from
 * different ones, and a guess cannot be tested without the server's key.
 */
export function secretFingerprint(plaintext: string): string {
  fingerprintKey ??= Buffer.from(hkdfSync('sha256', authSecret(), 'warden', 'warden.config.fingerprint.v1', 32));
  return `hmac-sha256:${createHmac('sha256', fingerprintKey).update(plaintext).digest('hex').slice(0, 16)}`;
}
