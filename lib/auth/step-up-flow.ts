import 'server-only';
import { db } from '@/lib/db';
import { requestContext } from '@/lib/request/context';
import { establishSession } from './next-auth';
import { beginStepUp, issueStepUpProof, spendStepUpEvidence, type StepUpEvidence, type StepUpSpent } from './step-up';
import { mintTicket } from './tickets';
import type { Viewer } from './viewer';

/** beginStepUp on the application database. */
export async function startStepUp(viewer: Viewer, operation: string, input: unknown) {
  return beginStepUp(await db(), viewer, operation, input);
}

/**
 * Verifies a step-up, issues the proof and renews the session: a step-up is a
 * new authentication event, so the session gets a new secret (the old cookie
 * value stops working, T14) and a fresh authentication time.
 */
export async function completeStepUp(viewer: Viewer, operation: string, input: unknown, evidence: StepUpEvidence) {
  const client = await db();
  const result = await issueStepUpProof(client, viewer, operation, input, evidence, await requestContext());
  if (!result.ok) return result;
  const ticket = await client.$transaction((tx) =>
    mintTicket(tx, { userId: viewer.userId, purpose: 'rotate', sessionId: viewer.sessionId, amr: result.method }),
  );
  await establishSession(ticket);
  return result;
}

/** consumeStepUpProof on the application database, returning what the proof carries (null: refused). */
export async function spendStepUpProof(viewer: Viewer, operation: string, input: unknown, proof: unknown): Promise<StepUpSpent | null> {
  return spendStepUpEvidence(await db(), viewer, operation, input, proof);
}
