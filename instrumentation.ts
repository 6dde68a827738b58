import type { Instrumentation } from 'next';

/**
 * Logs every error Next.js catches while rendering or running an action, with the
 * request's correlation id and the digest shown to the user, as one JSON line.
 */
export const onRequestError: Instrumentation.onRequestError = async (error, request) => {
  const headers = request.headers as Record<string, string | string[] | undefined>;
  const err = error as Error & { digest?: string };
  const { log } = await import('@/lib/log');
  log.error(
    {
      correlationId: headers['x-warden-correlation-id'],
      digest: err.digest,
      path: request.path,
      method: request.method,
      err: { name: err.name, message: err.message, stack: err.stack },
    },
    'request error',
  );
};
