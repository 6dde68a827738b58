import 'server-only';
import { headers } from 'next/headers';
import { unstable_rethrow } from 'next/navigation';
import { z } from 'zod';
import { recordDenial } from '@/lib/audit/record';
import { getViewer, mustEnrol, type Viewer } from '@/lib/auth/viewer';
import { env } from '@/lib/env';
import { logFor } from '@/lib/log';
import { requestContext } from '@/lib/request/context';
import { FRESH_SIGN_IN_MS, operation, stepUpBindingInput, type OperationDefinition, type OperationId } from '@/policies/operations';
import { spendStepUpProof } from '@/lib/auth/step-up-flow';
import { now } from '@/lib/clock';
import { toPlainInput } from './input';
import { ActionError, type ActionFailure, type ActionResult } from './result';

export interface ActionContext<I> {
  input: I;
  /** null only for operations whose catalog audience is "anonymous". */
  viewer: Viewer | null;
  correlationId: string;
}

type Handler<I, T> = (ctx: ActionContext<I>) => Promise<T>;

/**
 * The only way to write a server action (ARCHITECTURE "The one request path").
 * Every server action is a public POST endpoint; this wrapper, driven by the
 * operation catalog, does in one place what each must never forget:
 * same-origin check → input parse (zod, strict) → viewer from the database →
 * catalog audience → handler. Denials are audited in their own transaction.
 * Expected failures come back as ActionResult; anything else is logged with
 * the correlation id and shown generically (no internals).
 */
export function defineAction<S extends z.ZodType, T>(
  spec: { op: OperationId; input: S },
  handler: Handler<z.infer<S>, T>,
): (raw?: unknown, meta?: ActionMeta) => Promise<ActionResult<T>> {
  const op = operation(spec.op);
  return async (raw?: unknown, meta?: ActionMeta) => {
    const { correlationId } = await requestContext();
    const fail = (code: ActionFailure['code'], message: string, fieldErrors?: Record<string, string[]>): ActionFailure => ({
      ok: false,
      code,
      message,
      correlationId,
      ...(fieldErrors ? { fieldErrors } : {}),
    });
    try {
      if (!(await isSameOrigin())) return fail('FORBIDDEN', 'This request did not come from the console. Reload the page and try again.');
      const plain = toPlainInput(raw);
      if (!plain.ok) return fail('VALIDATION', plain.message);
      const parsed = spec.input.safeParse(plain.value);
      if (!parsed.success) {
        const flat = z.flattenError(parsed.error);
        return fail('VALIDATION', flat.formErrors[0] ?? 'Check the highlighted fields.', flat.fieldErrors as Record<string, string[]>);
      }
      const viewer = op.audience === 'anonymous' ? null : await getViewer();
      if (op.audience !== 'anonymous' && !viewer) {
        return fail('UNAUTHENTICATED', 'Your session has ended. Sign in again to continue.');
      }
      if (viewer && mustEnrol(viewer) && !op.duringEnrolment) {
        await auditDenial(spec.op, 'mfa_enrolment_required');
        return fail('FORBIDDEN', 'Set up a second factor (an authenticator app or a passkey) before doing anything else.');
      }
      if (viewer && op.stepUp && !(await hasStepUp(viewer, op, plain.value, meta))) {
        await auditDenial(spec.op, 'step_up_required');
        return fail(
          'STEP_UP_REQUIRED',
          viewer.mfaEnrolled
            ? 'Confirm it’s you with your passkey or authenticator app, then try again.'
            : 'Sign in again, then try again.',
        );
      }
      const data = await handler({ input: parsed.data, viewer, correlationId });
      return { ok: true, data };
    } catch (error) {
      unstable_rethrow(error);
      if (error instanceof ActionError) {
        if (error.code === 'FORBIDDEN' || error.code === 'NOT_FOUND') await auditDenial(spec.op, error.code);
        return fail(error.code, error.message, error.fieldErrors);
      }
      logFor(correlationId).error({ op: spec.op, err: errorSummary(error) }, 'action failed');
      return fail('INTERNAL', `Something went wrong and nothing was changed. If it keeps happening, quote this id: ${correlationId}`);
    }
  };
}

/**
 * CSRF defence in depth (SECURITY.md T32, CVE-2026-27978): a browser's POST from
 * another site carries an Origin or Sec-Fetch-Site that gives it away. Next.js
 * also compares Origin with Host; we compare with the configured origin, which a
 * forged Host header cannot change.
 */
async function isSameOrigin(): Promise<boolean> {
  const h = await headers();
  const origin = h.get('origin');
  const site = h.get('sec-fetch-site');
  if (site && site !== 'same-origin' && site !== 'none') return false;
  if (origin === null) return true;
  return origin === new URL(env().APP_URL).origin;
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
async function hasStepUp(viewer: Viewer, op: OperationDefinition, input: unknown, meta: ActionMeta | undefined): Promise<boolean> {
  if (!viewer.mfaEnrolled) return !!op.duringEnrolment && now().getTime() - viewer.authTime.getTime() <= FRESH_SIGN_IN_MS;
  return spendStepUpProof(viewer, op.id, stepUpBindingInput(op, input), meta?.stepUpProof);
}

async function auditDenial(op: OperationId, code: string) {
  const viewer = await getViewer().catch(() => null);
  await recordDenial({
    actor: viewer ? { id: viewer.userId, role: viewer.role, sessionId: viewer.sessionId } : null,
    operation: op,
    reasonCode: code.toLowerCase(),
    decision: 'authz.default_deny',
  });
}

function errorSummary(error: unknown) {
  return error instanceof Error ? { name: error.name, message: error.message, stack: error.stack } : { value: String(error) };
}
