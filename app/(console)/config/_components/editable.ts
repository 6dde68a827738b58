import { configKey, configValueAsInput, formatDuration, type ConfigKey, type ConfigTier } from '@/lib/config/keys';
import type { ConfigEntryDTO } from '@/lib/dal/config';

/** What the edit dialog needs of one key (plain data; a secret's value never included). */
export interface EditableEntry {
  key: ConfigKey;
  label: string;
  description: string;
  effect: string;
  tier: ConfigTier;
  type: ConfigEntryDTO['type'];
  options: { value: string; label: string }[] | null;
  /** The current value as people read it (a secret: "set (fingerprint)" or "not set"). */
  display: string;
  defaultDisplay: string;
  isDefault: boolean;
  /** The current value as it would be typed (empty for a secret: never prefilled). */
  inputValue: string;
  /** For durations: "between 15m and 12h". */
  boundsHint: string | null;
}

export function toEditable(entry: ConfigEntryDTO): EditableEntry {
  const def = configKey(entry.key);
  return {
    key: entry.key,
    label: entry.label,
    description: entry.description,
    effect: entry.effect,
    tier: entry.tier,
    type: entry.type,
    options: entry.options ? entry.options.map((o) => ({ value: o.value, label: o.label })) : null,
    display: entry.display,
    defaultDisplay: entry.defaultDisplay,
    isDefault: entry.isDefault,
    inputValue: entry.type === 'secret' ? '' : configValueAsInput(def, entry.value),
    boundsHint: entry.bounds ? `between ${formatDuration(entry.bounds.min)} and ${formatDuration(entry.bounds.max)}` : null,
  };
}
