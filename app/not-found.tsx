import Link from 'next/link';
import { requestContext } from '@/lib/request/context';

/**
 * Every unknown path and every record the viewer may not see (unauthorized =
 * not found), with the request's correlation id to quote. Nothing of the
 * request itself (path, parameters) is echoed back.
 */
export default async function NotFound() {
  const { correlationId } = await requestContext();
  return (
    <main className="mx-auto max-w-lg px-6 py-24 text-center">
      <p className="text-sm font-semibold text-indigo-700">404</p>
      <h1 className="mt-2 text-2xl font-semibold">Page not found</h1>
      <p className="mt-2 text-slate-600">
        The page does not exist, or your role does not include it. Check the address, or go back to the overview. If you followed a link
        inside Warden, send this reference to your administrator.
      </p>
      <p className="mt-4 rounded-md bg-slate-100 px-3 py-2 font-mono text-sm" data-testid="error-reference">
        Reference: {correlationId}
      </p>
      <Link href="/" className="mt-6 inline-block text-sm font-medium text-indigo-700 hover:underline">
        Back to the overview
      </Link>
    </main>
  );
}
