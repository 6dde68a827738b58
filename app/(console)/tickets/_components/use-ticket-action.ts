'use client';

import { useRouter } from 'next/navigation';
import { useCallback, useRef, useState } from 'react';
import type { ActionResult } from '@/lib/authz/result';

/** A failure as shown next to the control: the server's message, its code and the correlation id to quote. */
export interface ShownFailure {
  code: string;
  message: string;
  correlationId?: string;
  fieldErrors?: Record<string, string[]>;
}

export const UNREACHABLE: ShownFailure = {
  code: 'NETWORK',
  message: 'The console could not be reached. Check your connection and try again. Nothing was changed.',
};

/**
 * Runs one ticket action from a control: blocks double submission (a ref, not
 * only state, so two fast clicks send one request), keeps the failure to show,
 * and refreshes the server-rendered page on success so the conversation, badges
 * and `can` flags come from the server again. `then` overrides the refresh
 * (e.g. leaving a ticket the viewer can no longer read).
 */
export function useTicketAction() {
  const router = useRouter();
  const busy = useRef(false);
  const [pending, setPending] = useState(false);
  const [failure, setFailure] = useState<ShownFailure | null>(null);

  const run = useCallback(
    async <T>(call: () => Promise<ActionResult<T>>, then?: (data: T) => void): Promise<boolean> => {
      if (busy.current) return false;
      busy.current = true;
      setPending(true);
      setFailure(null);
      try {
        const result = await call();
        if (!result.ok) {
          setFailure(result);
          return false;
        }
        if (then) then(result.data);
        else router.refresh();
        return true;
      } catch {
        setFailure(UNREACHABLE);
        return false;
      } finally {
        busy.current = false;
        setPending(false);
      }
    },
    [router],
  );
  return { pending, failure, setFailure, run };
}
