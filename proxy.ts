import { NextResponse, type NextRequest } from 'next/server';

/**
 * An optimistic redirect only: a visitor with no session cookie at all is sent
 * to the sign-in page before any rendering. It is never the security boundary
 * (CVE-2025-29927 class): every page and action resolves the viewer from the
 * database itself.
 */
export function proxy(request: NextRequest) {
  const hasCookie = request.cookies.has('warden.session') || request.cookies.has('__Host-warden.session');
  if (hasCookie) return NextResponse.next();
  const url = request.nextUrl.clone();
  url.pathname = '/sign-in';
  url.search = '';
  const back = request.nextUrl.pathname + request.nextUrl.search;
  if (back !== '/') url.searchParams.set('callbackUrl', back);
  return NextResponse.redirect(url);
}

export const config = {
  // Everything except the public pages (sign-in, invitation acceptance, password reset), API routes, Next's assets and static files.
  matcher: ['/((?!sign-in|invite|reset-password|api/|_next/|favicon\\.ico|.*\\.(?:png|svg|ico|txt)$).*)'],
};
