/**
 * A signed intent in words (issue 13, "what you see is what you sign"): the step-up
 * dialog shows these lines before the passkey prompt, and the audit event detail
 * shows the same lines next to "signed by … — verified". Pure and client-safe.
 */
import { OPERATIONS, type OperationDefinition } from '@/policies/operations';

export interface IntentWords {
  operation: string;
  /** The catalog's plain-words description of the operation. */
  description: string;
  /** The records it acts on. */
  targets: string[];
  /** The input the passkey signs, one line per field (values as JSON, shortened). */
  fields: { name: string; value: string }[];
  approvalIds: string[];
  expiresAt: string;
}

/**
 * Input members that hold personal data (an email address, a person's name) or a
 * secret (a one-time code, a sealed authenticator seed, a password, a token): a signed
 * intent records them as keyed hashes (lib/audit/record.ts piiDigest), as audit details
 * do, so the trail never holds them in clear (secrets "never appear at all":
 * docs/audit-chain-format.md; SECURITY.md T40). The signer still sees the value they typed.
 * Ids (`…Id`) are never matched: they are the intent's targets.
 */
export function isPersonalInputField(name: string): boolean {
  return (
    /^(e-?mail|[a-z][A-Za-z0-9]*Email|name|fullName|displayName)$/i.test(name) ||
    /^(code|otp|sealed|secret|password|token|[a-z][A-Za-z0-9]*(Code|Secret|Password|Token))$/.test(name)
  );
}

/** Longer values are cut, saying how much is not shown (a reason, ≤ 500 characters, is shown whole). */
const MAX_VALUE = 1000;

/** The words of an intent (parsed JSON of unknown shape: anything odd is shown as it is, never trusted). */
export function intentInWords(intent: unknown): IntentWords | null {
  if (typeof intent !== 'object' || intent === null || Array.isArray(intent)) return null;
  const i = intent as Record<string, unknown>;
  if (typeof i.operation !== 'string') return null;
  const op = (OPERATIONS as Record<string, OperationDefinition | undefined>)[i.operation];
  const input = typeof i.input === 'object' && i.input !== null && !Array.isArray(i.input) ? (i.input as Record<string, unknown>) : {};
  const strings = (v: unknown) => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);
  return {
    operation: i.operation,
    description: op?.description ?? 'An operation this version of Warden does not know',
    targets: strings(i.targets),
    // Every signed field is listed: what the signer sees is all of what they sign.
    fields: Object.entries(input).map(([name, value]) => {
      const text = typeof value === 'string' ? value : JSON.stringify(value);
      return { name, value: text.length > MAX_VALUE ? `${text.slice(0, MAX_VALUE)}… (${text.length - MAX_VALUE} more characters)` : text };
    }),
    approvalIds: strings(i.approvalIds),
    expiresAt: typeof i.expiresAt === 'string' ? i.expiresAt : '',
  };
}
