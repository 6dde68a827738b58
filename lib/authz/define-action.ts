import 'server-only';
import { headers } from 'next/headers';
import { unstable_rethrow } from 'next/navigation';
import { z } from 'zod';
import { recordDenial } from '@/lib/audit/record';
import { spendStepUpProof } from '@/lib/auth/step-up-flow';
import { getViewer, mustEnrol, type Viewer } from '@/lib/auth/viewer';
import { now } from '@/lib/clock';
import { requestApproval } from '@/lib/dal/approvals';
import { lockdownState } from '@/lib/dal/containment';
import { enforceOperationLimit } from '@/lib/dal/operation-limits';
import { logFor } from '@/lib/log';
import { requestContext } from '@/lib/request/context';
import { isSameOriginRequest } from '@/lib/request/origin';
import { hasSufficientReason, reasonOf } from '@/lib/validation/reason';
import {
  FRESH_SIGN_IN_MS,
  operation,
  signatureRequired,
  stepUpBindingInput,
  type OPERATIONS,
  type OperationDefinition,
  type OperationId,
} from '@/policies/operations';
import { abilityFor, InvalidPrincipalError } from './ability';
import { checkAbility } from './check-ability';
import type { Authorization } from './authorization';
import { toPlainInput } from './input';
import { ActionError, type ActionFailure, type ActionResult } from './result';

/** Whether an operation is anonymous (sign-in) or needs a viewer; decides what a handler receives. */
type IsAnonymous<O extends OperationId> = (typeof OPERATIONS)[O]['audience'] extends 'anonymous' ? true : false;

export interface ActionContext<I, O extends OperationId = OperationId> {
  input: I;
  /** null only for operations whose catalog audience is "anonymous". */
  viewer: IsAnonymous<O> extends true ? null : Viewer;
  /** What defineAction established (rule, reason, step-up); null only for anonymous operations. */
  authz: IsAnonymous<O> extends true ? null : Authorization;
  correlationId: string;
}

export type { Authorization };

type Handler<I, T, O extends OperationId> = (ctx: ActionContext<I, O>) => Promise<T>;

export interface ActionSpec<S extends z.ZodType, O extends OperationId = OperationId> {
  op: O;
  input: S;
  /** For "record" operations: the id of the record the input names. */
  target?: (input: z.infer<S>) => string;
  /** For "draft" operations: the record as the operation would create it. */
  draft?: (input: z.infer<S>) => Record<string, unknown>;
  /** For changes: the record as it would be afterwards; it must be allowed too. */
  after?: (input: z.infer<S>, before: Record<string, unknown>) => Record<string, unknown>;
}

/**
 * The only way to write a server action (ARCHITECTURE "The one request path").
 * Every server action is a public POST endpoint; this wrapper, driven by the
 * operation catalog, does in one place what each must never forget:
 * same-origin check → strict zod parse → viewer from the database → enrolment
 * gate → ability on the loaded record (and on the record as it would be after)
 * → reason → step-up proof for this exact input → handler, or, for a
 * two-person operation, a frozen approval request instead of the handler.
 * Denials are audited in their own transaction with the rule that decided.
 * Expected failures come back as ActionResult; anything else is logged with the
 * correlation id and shown generically (no internals).
 */
export function defineAction<S extends z.ZodType, T, O extends OperationId>(
  spec: ActionSpec<S, O>,
  handler: Handler<z.infer<S>, T, O>,
): (raw?: unknown, meta?: ActionMeta) => Promise<ActionResult<T>> {
  const op = operation(spec.op);
  assertSpecMatchesCatalog(op, spec);
  return async (raw?: unknown, meta?: ActionMeta) => {
    const { correlationId } = await requestContext();
    const fail = (code: ActionFailure['code'], message: string, fieldErrors?: Record<string, string[]>): ActionFailure => ({
      ok: false,
      code,
      message,
      correlationId,
      ...(fieldErrors ? { fieldErrors } : {}),
    });
    let denial: DenialNote = { op: spec.op };
    const deny = async (code: ActionFailure['code'], reasonCode: string, message: string, fieldErrors?: Record<string, string[]>) => {
      await auditDenial({ ...denial, reasonCode });
      return fail(code, message, fieldErrors);
    };
    try {
      if (!(await isSameOrigin())) return fail('FORBIDDEN', 'This request did not come from the console. Reload the page and try again.');
      const plain = toPlainInput(raw);
      if (!plain.ok) return fail('VALIDATION', plain.message);
      const parsed = spec.input.safeParse(plain.value);
      if (!parsed.success) {
        const flat = z.flattenError(parsed.error);
        return fail('VALIDATION', flat.formErrors[0] ?? 'Check the highlighted fields.', flat.fieldErrors as Record<string, string[]>);
      }
      const input = parsed.data as z.infer<S>;
      if (op.audience === 'anonymous') {
        return { ok: true, data: await handler({ input, viewer: null, authz: null, correlationId } as ActionContext<z.infer<S>, O>) };
      }

      const viewer = await getViewer();
      if (!viewer) return fail('UNAUTHENTICATED', 'Your session has ended. Sign in again to continue.');
      denial = { ...denial, viewer };
      if (mustEnrol(viewer) && !op.duringEnrolment) {
        return deny(
          'FORBIDDEN',
          'mfa_enrolment_required',
          'Set up a second factor (an authenticator app or a passkey) before doing anything else.',
        );
      }

      // T48: per person, per address and global limits (policies/limits.ts); a hit is audited with them.
      const limited = await enforceOperationLimit(viewer, spec.op);
      if (limited) return fail('RATE_LIMITED', limited.message);
      // Lockdown exempts superadmins by the role they hold, never by a borrowed one (a time-bound elevation).
      if (
        !op.readOnly &&
        (viewer.baseRole ?? viewer.role) !== 'superadmin' &&
        !LOCKDOWN_EXEMPT.has(spec.op) &&
        (await lockdownState()).enabled
      ) {
        return deny(
          'FORBIDDEN',
          'lockdown',
          'The console is in lockdown: only superadmins can change anything until it is lifted. You can still read and sign out.',
        );
      }
      const ability = abilityFor(viewer);
      const checked = await checkAbility(op, spec, input, viewer, ability);
      denial = { ...denial, target: checked.targetRef, rule: checked.rule };
      if (checked.outcome === 'missing') return deny('NOT_FOUND', 'not_found', 'That record does not exist or is no longer available.');
      if (checked.outcome === 'hidden') return deny('NOT_FOUND', 'forbidden', 'That record does not exist or is no longer available.');
      if (checked.outcome === 'forbidden')
        return deny(
          'FORBIDDEN',
          'forbidden',
          checked.decided
            ? 'This request has already been decided or withdrawn. Reload the page to see what happened; nothing was changed.'
            : 'Your role does not allow this here. Nothing was changed.',
        );

      const given = reasonOf(input);
      if (op.reason === 'required' && !hasSufficientReason(given)) {
        return deny('REASON_REQUIRED', 'reason_required', 'Say why (at least a few words, or a ticket reference such as INC-1234).', {
          reason: ['Say why you are doing this.'],
        });
      }
      let steppedUp = false;
      let stepUpProof: Authorization['stepUpProof'];
      if (op.stepUp) {
        const spent = await hasStepUp(viewer, op, plain.value, meta);
        // A signed intent must name the record the action acts on (issue 13).
        const targetSigned =
          !spent ||
          spent === true ||
          !spent.intent ||
          op.target !== 'record' ||
          !checked.targetRef ||
          spent.intent.targets.includes(checked.targetRef.id);
        if (!spent || !targetSigned) {
          return deny(
            'STEP_UP_REQUIRED',
            'step_up_required',
            !viewer.mfaEnrolled
              ? 'Sign in again, then try again.'
              : signatureRequired(op)
                ? 'Confirm it’s you with your passkey (a critical operation must be signed), then try again.'
                : 'Confirm it’s you with your passkey or authenticator app, then try again.',
          );
        }
        steppedUp = true;
        if (spent !== true) stepUpProof = { method: spent.method, signature: spent.signature };
      }
      const authz: Authorization = {
        viewer,
        ability,
        op: spec.op,
        rule: checked.rule,
        reason: given.reason,
        ticketRef: given.ticketRef,
        target: checked.record,
        steppedUp,
        ...(stepUpProof ? { stepUpProof } : {}),
        incidentId: incidentOf(input),
        accessReviewItemId: stringField(input, 'accessReviewItemId'),
      };
      // Break-glass (lib/dal/elevations.ts): while it lasts, the holder's
      // two-person operations run at once; their events carry the elevation.
      if (op.approval === 'two-person' && viewer.elevation?.scope !== 'break_glass') {
        // Never run here: the exact operation and input are frozen as a request
        // that someone else must approve (lib/dal/approvals.ts); it runs then, once.
        const request = await requestApproval(authz, input);
        return {
          ...fail(
            'APPROVAL_REQUIRED',
            `Sent for approval. A second person must approve this exact change before ${request.expiresAt.toISOString().slice(0, 16).replace('T', ' ')} UTC; nothing has changed yet.`,
          ),
          approval: { id: request.id, expiresAt: request.expiresAt.toISOString() },
        };
      }
      return { ok: true, data: await handler({ input, viewer, authz, correlationId } as ActionContext<z.infer<S>, O>) };
    } catch (error) {
      unstable_rethrow(error);
      if (error instanceof InvalidPrincipalError) {
        await auditDenial({ ...denial, reasonCode: 'invalid_principal' }).catch(() => undefined);
        return fail('FORBIDDEN', 'Your session could not be verified. Sign in again.');
      }
      if (error instanceof ActionError) {
        if (error.code === 'FORBIDDEN' || error.code === 'NOT_FOUND')
          await auditDenial({ ...denial, reasonCode: error.code.toLowerCase() });
        return fail(error.code, error.message, error.fieldErrors);
      }
      logFor(correlationId).error({ op: spec.op, err: errorSummary(error) }, 'action failed');
      return fail('INTERNAL', `Something went wrong and nothing was changed. If it keeps happening, quote this id: ${correlationId}`);
    }
  };
}

/** A definition that does not say how to find its target is a programming error, caught at import. */
function assertSpecMatchesCatalog(op: OperationDefinition, spec: { target?: unknown; draft?: unknown }) {
  if (op.audience === 'viewer' && !op.ability) throw new Error(`${op.id}: a viewer operation needs an ability in the catalog`);
  if (op.target === 'record' && !spec.target) throw new Error(`${op.id}: a record operation needs spec.target`);
  if (op.target === 'draft' && !spec.draft) throw new Error(`${op.id}: a draft operation needs spec.draft`);
}

/**
 * CSRF defence in depth (SECURITY.md T32, CVE-2026-27978): a browser's POST from
 * another site carries an Origin (or `null`) or Sec-Fetch-Site that gives it
 * away. Next.js also compares Origin with Host; lib/request/origin compares with
 * the configured origin, which a forged Host header cannot change (T33).
 */
async function isSameOrigin(): Promise<boolean> {
  return isSameOriginRequest(await headers(), 'POST');
}

/** The optional second argument of an action call: the step-up proof, when the catalog demands one. */
export interface ActionMeta {
  stepUpProof?: string;
}

/**
 * Step-up enforced from the catalog, never only in the client flow (house style
 * 18): the proof must match this operation, this exact input and this session.
 * A user still enrolling has no factor to step up with; a sign-in within
 * FRESH_SIGN_IN_MS stands in for the proof for the enrolment operations.
 */
async function hasStepUp(
  viewer: Viewer,
  op: OperationDefinition,
  input: unknown,
  meta: ActionMeta | undefined,
): Promise<Awaited<ReturnType<typeof spendStepUpProof>> | boolean> {
  if (!viewer.mfaEnrolled) return !!op.duringEnrolment && now().getTime() - viewer.authTime.getTime() <= FRESH_SIGN_IN_MS;
  return spendStepUpProof(viewer, op.id, stepUpBindingInput(op, input), meta?.stepUpProof);
}

interface DenialNote {
  op: OperationId;
  viewer?: Viewer;
  target?: { type: string; id: string } | null;
  rule?: string;
}

async function auditDenial(note: DenialNote & { reasonCode: string }) {
  const viewer = note.viewer;
  await recordDenial({
    actor: viewer ? { id: viewer.userId, role: viewer.role, sessionId: viewer.sessionId } : null,
    operation: note.op,
    target: note.target ?? null,
    reasonCode: note.reasonCode,
    decision: note.rule ?? 'authz.default_deny',
  });
}

function errorSummary(error: unknown) {
  return error instanceof Error ? { name: error.name, message: error.message, stack: error.stack } : { value: String(error) };
}

/** The incident an input names (optional `incidentId` of containment inputs), if any. */
function incidentOf(input: unknown): string | null {
  return stringField(input, 'incidentId');
}

/** An optional id field of a (zod-validated) input, if present and non-empty. */
function stringField(input: unknown, field: string): string | null {
  if (typeof input !== 'object' || input === null) return null;
  const id = (input as Record<string, unknown>)[field];
  return typeof id === 'string' && id.length > 0 ? id : null;
}

/** What anyone may still do during a lockdown: leave, and end their own sessions. */
const LOCKDOWN_EXEMPT: ReadonlySet<string> = new Set(['auth.sign_out', 'session.revoke_own', 'session.revoke_own_others']);
