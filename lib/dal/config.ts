import 'server-only';
import { createHash } from 'node:crypto';
import { lockAuditChain } from '@/lib/audit/append';
import { canonicalize } from '@/lib/audit/canonical-json';
import { sealSecret } from '@/lib/auth/secret-box';
import type { Viewer } from '@/lib/auth/viewer';
import { abilityFor, decide, scopedWhere } from '@/lib/authz/ability';
import type { Authorization } from '@/lib/authz/authorization';
import { ActionError } from '@/lib/authz/result';
import { now } from '@/lib/clock';
import {
  CONFIG_KEYS,
  configKey,
  displayConfigValue,
  highestTier,
  isConfigKey,
  type ConfigKey,
  type ConfigKeyDefinition,
  type ConfigTier,
} from '@/lib/config/keys';
import { invalidateSettings, secretAad, secretFingerprint, valueOf } from '@/lib/config/settings';
import { db, type Tx } from '@/lib/db';
import type { ApprovalSummary } from '@/lib/approvals/digest';
import { applyTierOf } from '@/policies/matrix';
import { operation, type OperationId } from '@/policies/operations';
import { assertActorStillLive, recordAuthorized } from './audit-details';

/**
 * Configuration (issue 8): the current value of every key, its history of
 * revisions, and change sets — a person's pending changes, reviewed as a whole
 * and applied (or sent for approval) at once. Applying writes each key's entry
 * and an append-only revision, and the audit event, in one transaction; a key
 * changed by someone else since it was staged stops the whole set (CONFLICT),
 * so nobody applies a diff they did not see.
 */

export type ChangeSetStatus = 'draft' | 'pending_approval' | 'applied' | 'discarded' | 'voided' | 'failed';

export interface ConfigEntryDTO {
  key: ConfigKey;
  label: string;
  description: string;
  effect: string;
  type: ConfigKeyDefinition['type'];
  tier: ConfigTier;
  options: readonly { value: string; label: string }[] | null;
  bounds: { min: number; max: number } | null;
  /** True when no one has set a value: the default applies. */
  isDefault: boolean;
  /** The typed value; null for a secret (never sent to a browser). */
  value: unknown;
  /** How it reads; for a secret "set" or "not set". */
  display: string;
  defaultDisplay: string;
  fingerprint: string | null;
  version: number;
  updatedAt: Date | null;
  updatedBy: { id: string; name: string } | null;
  /** Whether the viewer may stage a change of this key, and apply it without a second person. */
  canPropose: boolean;
  canUpdate: boolean;
}

export interface ConfigRevisionDTO {
  id: string;
  version: number;
  kind: string;
  before: string;
  after: string;
  beforeFingerprint: string | null;
  afterFingerprint: string | null;
  author: { id: string; name: string } | null;
  reason: string | null;
  changeSetId: string;
  approvalId: string | null;
  createdAt: Date;
  /** Whether "restore this value" can stage it again (not for secrets). */
  restorable: boolean;
}

export interface ChangeItemDTO {
  key: ConfigKey;
  label: string;
  tier: ConfigTier;
  type: ConfigKeyDefinition['type'];
  kind: string;
  before: string;
  after: string;
  beforeFingerprint: string | null;
  afterFingerprint: string | null;
  baseVersion: number;
  currentVersion: number;
  /** The key changed since this item was staged: the set cannot be applied until it is staged again. */
  stale: boolean;
  rollbackOfId: string | null;
}

export interface ChangeSetDTO {
  id: string;
  status: ChangeSetStatus;
  authorId: string;
  tier: ConfigTier;
  digest: string;
  items: ChangeItemDTO[];
  /** The catalog operation that applies it, and what that demands. */
  op: Extract<OperationId, 'config.apply' | 'config.apply_sensitive' | 'config.apply_critical'>;
  demands: { stepUp: boolean; reason: 'none' | 'optional' | 'required'; twoPerson: boolean };
  /** In words: who must approve or confirm. */
  approvalText: string;
  approvalId: string | null;
  reason: string | null;
  createdAt: Date;
  updatedAt: Date;
  submittedAt: Date | null;
  appliedAt: Date | null;
}

type EntryRow = {
  key: string;
  value: string | null;
  fingerprint: string | null;
  version: number;
  updatedAt: Date;
  updatedById: string | null;
};

function display(def: ConfigKeyDefinition, stored: string | null, fingerprint: string | null, isDefault: boolean): string {
  if (def.type === 'secret') return fingerprint ? `set (${fingerprint})` : 'not set';
  const v = isDefault ? def.default : valueOf(def, stored);
  return displayConfigValue(def, v) + (isDefault ? ' (default)' : '');
}

async function names(ids: (string | null)[]): Promise<Map<string, string>> {
  const wanted = [...new Set(ids.filter((x): x is string => !!x))];
  if (wanted.length === 0) return new Map();
  const client = await db();
  const rows = await client.user.findMany({ where: { id: { in: wanted } }, select: { id: true, name: true } });
  return new Map(rows.map((r) => [r.id, r.name]));
}

/** Every key the viewer may read, with its current value (secrets as fingerprints). */
export async function listConfig(viewer: Viewer): Promise<ConfigEntryDTO[]> {
  const ability = abilityFor(viewer);
  const client = await db();
  const rows = await client.configEntry.findMany({
    where: scopedWhere(ability, 'read', 'ConfigEntry', {}),
    select: { key: true, value: true, fingerprint: true, version: true, updatedAt: true, updatedById: true },
  });
  const byKey = new Map<string, EntryRow>(rows.map((r) => [r.key, r]));
  const who = await names(rows.map((r) => r.updatedById));
  return CONFIG_KEYS.filter((def) => decide(ability, 'read', 'ConfigEntry', { key: def.key, tier: def.tier }).allowed).map((def) =>
    entryDTO(def, byKey.get(def.key) ?? null, who, viewer),
  );
}

function entryDTO(def: ConfigKeyDefinition, row: EntryRow | null, who: Map<string, string>, viewer: Viewer): ConfigEntryDTO {
  const ability = abilityFor(viewer);
  const isDefault = !row || (row.value === null && row.fingerprint === null);
  const subject = { key: def.key, tier: def.tier };
  return {
    key: def.key,
    label: def.label,
    description: def.description,
    effect: def.effect,
    type: def.type,
    tier: def.tier,
    options: def.options ?? null,
    bounds: def.bounds ?? null,
    isDefault,
    value: def.type === 'secret' ? null : isDefault ? def.default : valueOf(def, row!.value),
    display: display(def, row?.value ?? null, row?.fingerprint ?? null, isDefault),
    defaultDisplay: def.type === 'secret' ? 'not set' : displayConfigValue(def, def.default),
    fingerprint: row?.fingerprint ?? null,
    version: row?.version ?? 0,
    updatedAt: row?.updatedAt ?? null,
    updatedBy: row?.updatedById ? { id: row.updatedById, name: who.get(row.updatedById) ?? 'a former user' } : null,
    canPropose: decide(ability, 'propose', 'ConfigEntry', subject).allowed,
    canUpdate: decide(ability, 'update', 'ConfigEntry', subject).allowed,
  };
}

/** One key with its history, newest first; null when unknown or not readable. */
export async function getConfigKey(viewer: Viewer, key: string): Promise<{ entry: ConfigEntryDTO; revisions: ConfigRevisionDTO[] } | null> {
  if (!isConfigKey(key)) return null;
  const def = configKey(key);
  const ability = abilityFor(viewer);
  if (!decide(ability, 'read', 'ConfigEntry', { key, tier: def.tier }).allowed) return null;
  const client = await db();
  const row = await client.configEntry.findUnique({
    where: { key },
    select: { key: true, value: true, fingerprint: true, version: true, updatedAt: true, updatedById: true },
  });
  const revisions = await client.configRevision.findMany({ where: { key }, orderBy: { version: 'desc' }, take: 200 });
  const who = await names([row?.updatedById ?? null, ...revisions.map((r) => r.authorId)]);
  return {
    entry: entryDTO(def, row, who, viewer),
    revisions: revisions.map((r) => ({
      id: r.id,
      version: r.version,
      kind: r.kind,
      before:
        def.type === 'secret'
          ? r.beforeFingerprint
            ? `set (${r.beforeFingerprint})`
            : 'not set'
          : display(def, r.before, null, r.beforeDefault),
      after:
        def.type === 'secret'
          ? r.afterFingerprint
            ? `set (${r.afterFingerprint})`
            : 'not set'
          : display(def, r.after, null, r.afterDefault),
      beforeFingerprint: r.beforeFingerprint,
      afterFingerprint: r.afterFingerprint,
      author: { id: r.authorId, name: who.get(r.authorId) ?? 'a former user' },
      reason: r.reason,
      changeSetId: r.changeSetId,
      approvalId: r.approvalId,
      createdAt: r.createdAt,
      restorable: def.type !== 'secret',
    })),
  };
}

/** The digest of a change set's items: what is reviewed, approved and applied. */
export function changeSetDigest(
  items: {
    key: string;
    kind: string;
    value: string | null;
    fingerprint: string | null;
    baseVersion: number;
    rollbackOfId: string | null;
  }[],
): string {
  const canonical = canonicalize(
    [...items]
      .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
      .map((i) => ({
        key: i.key,
        kind: i.kind,
        value: i.value,
        fingerprint: i.fingerprint,
        baseVersion: i.baseVersion,
        rollbackOfId: i.rollbackOfId,
      })),
  );
  return `sha256:${createHash('sha256').update('warden.config.changeset.v1\0').update(canonical).digest('hex')}`;
}

const OP_FOR_TIER = { normal: 'config.apply', sensitive: 'config.apply_sensitive', critical: 'config.apply_critical' } as const;

function approvalText(tier: ConfigTier): string {
  switch (tier) {
    case 'normal':
      return 'Applies at once. An admin or superadmin may apply it; a reason is optional.';
    case 'sensitive':
      return 'Applies at once after you confirm with your passkey (or authenticator code) and give a reason.';
    case 'critical':
      return 'Needs two people: you sign the request with your passkey and give a reason, then a superadmin other than you approves the exact change set with their passkey. It applies when approved.';
  }
}

type SetRow = {
  id: string;
  status: string;
  authorId: string;
  approvalId: string | null;
  reason: string | null;
  createdAt: Date;
  updatedAt: Date;
  submittedAt: Date | null;
  appliedAt: Date | null;
  items: {
    key: string;
    tier: string;
    kind: string;
    value: string | null;
    fingerprint: string | null;
    baseVersion: number;
    rollbackOfId: string | null;
  }[];
};

async function setDTO(client: Tx | Awaited<ReturnType<typeof db>>, set: SetRow): Promise<ChangeSetDTO> {
  const keys = set.items.map((i) => i.key);
  const entries = await client.configEntry.findMany({
    where: { key: { in: keys } },
    select: { key: true, value: true, fingerprint: true, version: true },
  });
  const current = new Map(entries.map((e) => [e.key, e]));
  const items: ChangeItemDTO[] = set.items
    .filter((i) => isConfigKey(i.key))
    .sort((a, b) => (a.key < b.key ? -1 : 1))
    .map((i) => {
      const def = configKey(i.key as ConfigKey);
      const cur = current.get(i.key);
      const curDefault = !cur || (cur.value === null && cur.fingerprint === null);
      return {
        key: def.key,
        label: def.label,
        tier: def.tier,
        type: def.type,
        kind: i.kind,
        before: display(def, cur?.value ?? null, cur?.fingerprint ?? null, curDefault),
        after: i.kind === 'reset' ? display(def, null, null, true) : display(def, i.value, i.fingerprint, false),
        beforeFingerprint: cur?.fingerprint ?? null,
        afterFingerprint: i.fingerprint,
        baseVersion: i.baseVersion,
        currentVersion: cur?.version ?? 0,
        stale: (cur?.version ?? 0) !== i.baseVersion,
        rollbackOfId: i.rollbackOfId,
      };
    });
  const tier = highestTier(items.map((i) => i.tier));
  const op = OP_FOR_TIER[tier];
  const def = operation(op);
  return {
    id: set.id,
    status: set.status as ChangeSetStatus,
    authorId: set.authorId,
    tier,
    digest: changeSetDigest(set.items),
    items,
    op,
    demands: { stepUp: def.stepUp, reason: def.reason, twoPerson: def.approval === 'two-person' },
    approvalText: approvalText(tier),
    approvalId: set.approvalId,
    reason: set.reason,
    createdAt: set.createdAt,
    updatedAt: set.updatedAt,
    submittedAt: set.submittedAt,
    appliedAt: set.appliedAt,
  };
}

const SET_SELECT = {
  id: true,
  status: true,
  authorId: true,
  approvalId: true,
  reason: true,
  createdAt: true,
  updatedAt: true,
  submittedAt: true,
  appliedAt: true,
  items: { select: { key: true, tier: true, kind: true, value: true, fingerprint: true, baseVersion: true, rollbackOfId: true } },
} as const;

/** The viewer's draft change set (their pending changes), or null. */
export async function getDraft(viewer: Viewer): Promise<ChangeSetDTO | null> {
  const client = await db();
  const set = await client.configChangeSet.findFirst({ where: { authorId: viewer.userId, status: 'draft' }, select: SET_SELECT });
  return set && set.items.length > 0 ? setDTO(client, set) : null;
}

/** The viewer's submitted change sets, newest first. */
export async function listMyChangeSets(viewer: Viewer, take = 20): Promise<ChangeSetDTO[]> {
  const client = await db();
  const sets = await client.configChangeSet.findMany({
    where: { authorId: viewer.userId, status: { not: 'draft' } },
    orderBy: { updatedAt: 'desc' },
    take,
    select: SET_SELECT,
  });
  return Promise.all(sets.map((s) => setDTO(client, s)));
}

export type StageInput =
  | { key: ConfigKey; mode: 'set'; value: unknown }
  | { key: ConfigKey; mode: 'reset' }
  | { key: ConfigKey; mode: 'rollback'; revisionId: string };

/**
 * Adds (or replaces) one key's change in the viewer's draft change set. A secret
 * is sealed here and never stored or recorded in clear. Nothing takes effect.
 */
export async function stageChange(authz: Authorization, input: StageInput): Promise<{ changeSetId: string; items: number }> {
  const def = configKey(input.key);
  const client = await db();
  const result = await client.$transaction(async (tx) => {
    await lockAuditChain(tx);
    await assertActorStillLive(tx, authz);
    const entry = await tx.configEntry.findUnique({ where: { key: def.key }, select: { version: true, value: true, fingerprint: true } });
    const kind: 'set' | 'reset' | 'rollback' = input.mode;
    let value: string | null = null;
    let secretEnc: string | null = null;
    let fingerprint: string | null = null;
    let rollbackOfId: string | null = null;
    if (input.mode === 'set') {
      if (def.type === 'secret') {
        const plain = String(input.value);
        secretEnc = sealSecret(plain, secretAad(def.key));
        fingerprint = secretFingerprint(plain);
      } else {
        value = canonicalize(input.value);
      }
    } else if (input.mode === 'rollback') {
      if (def.type === 'secret') {
        throw new ActionError('VALIDATION', 'A secret cannot be restored from history (an old secret may have leaked). Enter a new one.');
      }
      const revision = await tx.configRevision.findFirst({
        where: { id: input.revisionId, key: def.key },
        select: { id: true, after: true, afterDefault: true },
      });
      if (!revision) throw new ActionError('NOT_FOUND', 'That revision does not exist for this key.');
      rollbackOfId = revision.id;
      value = revision.afterDefault ? null : revision.after;
      if (value !== null && !(def.schema as { safeParse(v: unknown): { success: boolean } }).safeParse(JSON.parse(value)).success) {
        throw new ActionError('CONFLICT', 'That old value is no longer allowed for this key, so it cannot be restored.');
      }
    }
    const at = now();
    const set =
      (await tx.configChangeSet.findFirst({ where: { authorId: authz.viewer.userId, status: 'draft' }, select: { id: true } })) ??
      (await tx.configChangeSet.create({ data: { authorId: authz.viewer.userId, createdAt: at, updatedAt: at }, select: { id: true } }));
    const item = {
      tier: def.tier,
      kind,
      value,
      secretEnc,
      fingerprint,
      baseVersion: entry?.version ?? 0,
      rollbackOfId,
    };
    await tx.configChangeItem.upsert({
      where: { changeSetId_key: { changeSetId: set.id, key: def.key } },
      create: { changeSetId: set.id, key: def.key, createdAt: at, ...item },
      update: item,
    });
    await tx.configChangeSet.update({ where: { id: set.id }, data: { updatedAt: at } });
    const items = await tx.configChangeItem.count({ where: { changeSetId: set.id } });
    await recordAuthorized(tx, authz, {
      target: { type: 'ConfigEntry', id: def.key },
      details: {
        changeSetId: set.id,
        tier: def.tier,
        kind,
        ...(def.type === 'secret' ? { fingerprint } : { value: value === null ? null : JSON.parse(value), toDefault: value === null }),
        ...(rollbackOfId ? { rollbackOfId } : {}),
      },
    });
    return { changeSetId: set.id, items };
  });
  return result;
}

/** Removes one key from the viewer's draft; an empty draft is discarded. */
export async function unstageChange(authz: Authorization, key: ConfigKey): Promise<{ items: number }> {
  const client = await db();
  return client.$transaction(async (tx) => {
    await lockAuditChain(tx);
    await assertActorStillLive(tx, authz);
    const set = await tx.configChangeSet.findFirst({ where: { authorId: authz.viewer.userId, status: 'draft' }, select: { id: true } });
    const removed = set ? await tx.configChangeItem.deleteMany({ where: { changeSetId: set.id, key } }) : { count: 0 };
    if (removed.count === 0) throw new ActionError('NOT_FOUND', 'That key is not in your pending changes.');
    const items = await tx.configChangeItem.count({ where: { changeSetId: set!.id } });
    await tx.configChangeSet.update({
      where: { id: set!.id },
      data: { updatedAt: now(), ...(items === 0 ? { status: 'discarded' } : {}) },
    });
    await recordAuthorized(tx, authz, { target: { type: 'ConfigEntry', id: key }, details: { changeSetId: set!.id, itemsLeft: items } });
    return { items };
  });
}

export interface ApplyInput {
  changeSetId: string;
  digest: string;
}

/** Loads a change set for applying or freezing, and checks it is exactly what was reviewed. */
async function loadForApply(tx: Tx, authz: Authorization, input: ApplyInput, status: 'draft' | 'pending_approval') {
  const set = await tx.configChangeSet.findFirst({
    where: { id: input.changeSetId, authorId: authz.viewer.userId, status },
    select: { ...SET_SELECT, items: { select: { ...SET_SELECT.items.select, secretEnc: true } } },
  });
  if (!set || set.items.length === 0) {
    throw new ActionError('NOT_FOUND', 'That change set does not exist, is not yours, or was already applied or withdrawn.');
  }
  if (changeSetDigest(set.items) !== input.digest) {
    throw new ActionError('CONFLICT', 'The change set changed since it was reviewed. Review it again; nothing was applied.');
  }
  const tier = highestTier(set.items.map((i) => configKey(i.key as ConfigKey).tier));
  const opTier = applyTierOf(authz.op);
  if (tier !== opTier) {
    throw new ActionError(
      'CONFLICT',
      `This change set includes ${tier} keys, so it must go through the ${tier} review. Nothing was applied.`,
    );
  }
  const [action] = operation(authz.op).ability!;
  for (const item of set.items) {
    const def = configKey(item.key as ConfigKey);
    if (!decide(authz.ability, action, 'ConfigEntry', { key: def.key, tier: def.tier }).allowed) {
      throw new ActionError('FORBIDDEN', `Your role may not change ${def.label}. Nothing was applied.`);
    }
  }
  const entries = await tx.configEntry.findMany({
    where: { key: { in: set.items.map((i) => i.key) } },
    select: { key: true, value: true, fingerprint: true, version: true, secretEnc: true },
  });
  const current = new Map(entries.map((e) => [e.key, e]));
  const stale = set.items.filter((i) => (current.get(i.key)?.version ?? 0) !== i.baseVersion);
  if (stale.length > 0) {
    throw new ActionError(
      'CONFLICT',
      `Someone changed ${stale.map((i) => configKey(i.key as ConfigKey).label).join(', ')} since you staged it. Stage it again to review the new value; nothing was applied.`,
    );
  }
  return { set, current };
}

/**
 * Applies a change set: for normal and sensitive sets straight from the review
 * screen, for critical ones only when its approved request runs (authz.approval).
 */
export async function applyChangeSet(authz: Authorization, input: ApplyInput): Promise<{ applied: number; revisions: string[] }> {
  if (authz.op === 'config.apply_critical' && !authz.approval) {
    throw new Error('config.apply_critical ran without an approval');
  }
  const client = await db();
  const result = await client.$transaction(async (tx) => {
    await lockAuditChain(tx);
    await assertActorStillLive(tx, authz);
    const { set, current } = await loadForApply(tx, authz, input, authz.approval ? 'pending_approval' : 'draft');
    const at = now();
    const revisions: string[] = [];
    const changes: Record<string, unknown>[] = [];
    for (const item of set.items) {
      const def = configKey(item.key as ConfigKey);
      const cur = current.get(item.key);
      const beforeDefault = !cur || (cur.value === null && cur.fingerprint === null);
      const toDefault = item.kind !== 'set' && item.value === null;
      const version = (cur?.version ?? 0) + 1;
      const data = {
        tier: def.tier,
        value: def.type === 'secret' ? null : item.value,
        secretEnc: def.type === 'secret' && !toDefault ? item.secretEnc : null,
        fingerprint: def.type === 'secret' && !toDefault ? item.fingerprint : null,
        version,
        updatedAt: at,
        updatedById: authz.viewer.userId,
      };
      await tx.configEntry.upsert({ where: { key: def.key }, create: { key: def.key, ...data }, update: data });
      const revision = await tx.configRevision.create({
        data: {
          key: def.key,
          version,
          tier: def.tier,
          kind: item.kind,
          before: def.type === 'secret' || beforeDefault ? null : (cur?.value ?? null),
          after: def.type === 'secret' || toDefault ? null : item.value,
          beforeFingerprint: cur?.fingerprint ?? null,
          afterFingerprint: data.fingerprint,
          beforeDefault,
          afterDefault: toDefault,
          rollbackOfId: item.rollbackOfId,
          changeSetId: set.id,
          approvalId: authz.approval?.id ?? null,
          authorId: authz.viewer.userId,
          reason: authz.reason,
          createdAt: at,
        },
        select: { id: true },
      });
      revisions.push(revision.id);
      changes.push({
        key: def.key,
        tier: def.tier,
        kind: item.kind,
        version,
        revisionId: revision.id,
        ...(def.type === 'secret'
          ? { beforeFingerprint: cur?.fingerprint ?? null, afterFingerprint: data.fingerprint }
          : {
              before: beforeDefault ? null : JSON.parse(cur!.value!),
              after: toDefault ? null : JSON.parse(item.value!),
              beforeDefault,
              afterDefault: toDefault,
            }),
      });
    }
    await tx.configChangeSet.update({
      where: { id: set.id },
      data: {
        status: 'applied',
        appliedAt: at,
        updatedAt: at,
        reason: authz.reason,
        digest: input.digest,
        tier: applyTierOf(authz.op),
        submittedAt: set.submittedAt ?? at,
      },
    });
    await recordAuthorized(tx, authz, {
      target: { type: 'ConfigChangeSet', id: set.id },
      details: { digest: input.digest, changes },
    });
    return { applied: set.items.length, revisions };
  });
  invalidateSettings();
  return result;
}

/**
 * Freezes a critical change set for a two-person request (lib/dal/approvals.ts):
 * it must be exactly what was reviewed, and it leaves the drafts; the baseline
 * is each key's version now, and the summary is the diff the approver sees.
 */
export async function freezeChangeSet(
  tx: Tx,
  authz: Authorization,
  input: ApplyInput,
): Promise<{ baseline: unknown; summary: ApprovalSummary }> {
  const { set } = await loadForApply(tx, authz, input, 'draft');
  const dto = await setDTO(tx, set);
  await tx.configChangeSet.update({
    where: { id: set.id },
    data: { status: 'pending_approval', submittedAt: now(), updatedAt: now(), tier: dto.tier, digest: dto.digest, reason: authz.reason },
  });
  return {
    baseline: changeSetBaseline(
      set.id,
      dto.items.map((i) => ({ key: i.key, version: i.baseVersion })),
    ),
    summary: {
      title: `Change ${dto.items.length} configuration ${dto.items.length === 1 ? 'key' : 'keys'}`,
      changes: dto.items.map((i) => ({ label: `${i.label} (${i.key})`, tier: i.tier, before: i.before, after: i.after })),
    },
  };
}

function changeSetBaseline(changeSetId: string, versions: { key: string; version: number }[]) {
  return { changeSetId, versions: [...versions].sort((a, b) => (a.key < b.key ? -1 : 1)) };
}

/** The same baseline, as the database says now (a key changed since → the request is void). */
export async function currentChangeSetBaseline(tx: Tx, input: ApplyInput): Promise<unknown> {
  const items = await tx.configChangeItem.findMany({ where: { changeSetId: input.changeSetId }, select: { key: true } });
  const entries = await tx.configEntry.findMany({ where: { key: { in: items.map((i) => i.key) } }, select: { key: true, version: true } });
  const v = new Map(entries.map((e) => [e.key, e.version]));
  return changeSetBaseline(
    input.changeSetId,
    items.map((i) => ({ key: i.key, version: v.get(i.key) ?? 0 })),
  );
}

/** A request for a change set ended without running: cancelled → back to drafts (to edit); otherwise voided. */
export async function closeChangeSet(tx: Tx, changeSetId: string, outcome: 'cancelled' | 'ended'): Promise<void> {
  const at = now();
  if (outcome === 'cancelled') {
    // Only one draft per person: if they started another since, the withdrawn set is merged into nothing and voided instead.
    const set = await tx.configChangeSet.findUnique({ where: { id: changeSetId }, select: { authorId: true } });
    const other = set
      ? await tx.configChangeSet.findFirst({ where: { authorId: set.authorId, status: 'draft' }, select: { id: true } })
      : null;
    if (!other) {
      await tx.configChangeSet.updateMany({
        where: { id: changeSetId, status: 'pending_approval' },
        data: { status: 'draft', approvalId: null, submittedAt: null, updatedAt: at },
      });
      return;
    }
  }
  await tx.configChangeSet.updateMany({
    where: { id: changeSetId, status: 'pending_approval' },
    data: { status: 'voided', updatedAt: at },
  });
}

/** Links a frozen change set to its request. */
export async function linkChangeSetApproval(tx: Tx, changeSetId: string, approvalId: string): Promise<void> {
  await tx.configChangeSet.update({ where: { id: changeSetId }, data: { approvalId } });
}
