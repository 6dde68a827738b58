import { NextResponse } from 'next/server';
import { signOutAction } from '@/app/(console)/_actions/sign-out';
import { readSessionSecret } from '@/lib/auth/next-auth';
import { isSameOriginRequest } from '@/lib/request/origin';

export const dynamic = 'force-dynamic';

/**
 * What a browser must forget when someone signs out (SECURITY.md T18): the cache
 * (authenticated pages), every cookie and all storage of this origin.
 */
const SIGN_OUT_CLEAR_SITE_DATA = '"cache", "cookies", "storage"';

/**
 * POST /api/auth/signed-out: the last step of signing out. The sign-out button
 * first calls the sign-out server action (which revokes the session, audited),
 * then this endpoint, whose only answer is `Clear-Site-Data`: a server action's
 * response cannot carry that header.
 *
 * Only the console's own pages may call it (Origin / Sec-Fetch-Site, T32): a
 * cross-site form could otherwise wipe a signed-in person's browser data. If the
 * request still carries a session (the action did not run, or failed), that
 * session is signed out first through the same audited action, so the browser
 * never forgets a session the server still honours.
 */
export async function POST(request: Request): Promise<NextResponse> {
  if (!isSameOriginRequest(request.headers, 'POST')) {
    return new NextResponse('Refused: this request did not come from the console.\n', {
      status: 403,
      headers: { 'Cache-Control': 'no-store', 'Content-Type': 'text/plain; charset=utf-8' },
    });
  }
  if (await readSessionSecret()) await signOutAction({});
  return new NextResponse(null, {
    status: 204,
    headers: { 'Cache-Control': 'no-store', 'Clear-Site-Data': SIGN_OUT_CLEAR_SITE_DATA },
  });
}
