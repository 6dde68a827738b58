'use client';

import { useId, useState } from 'react';
import { Button } from '@/components/ui/button';
import { Time } from '@/components/ui/time';
import type { InviteResult } from './invite-form';

/**
 * The one-time invitation link, shown once: Warden sends no email and stores
 * only a hash of the token, so this is the only time anyone can see the link.
 */
export function InviteLinkResult({ result, onDone }: { result: InviteResult; onDone: () => void }) {
  const linkId = useId();
  const [copied, setCopied] = useState<'yes' | 'failed' | null>(null);

  const copy = async () => {
    try {
      await navigator.clipboard.writeText(result.link);
      setCopied('yes');
    } catch {
      setCopied('failed');
    }
  };

  return (
    <div className="mt-2 space-y-3 text-sm text-slate-700">
      <p>
        <strong>{result.name}</strong> ({result.email}) has an account now. Give them this link yourself, over a channel you trust: Warden
        sends no email.
      </p>
      <div>
        <label htmlFor={linkId} className="block font-medium text-slate-800">
          Invitation link
        </label>
        <div className="mt-1 flex gap-2">
          <input
            id={linkId}
            readOnly
            value={result.link}
            onFocus={(e) => e.currentTarget.select()}
            className="block w-full rounded-md border-0 bg-slate-50 px-3 py-1.5 font-mono text-xs ring-1 ring-inset ring-slate-300"
          />
          <Button variant="secondary" type="button" onClick={() => void copy()}>
            Copy link
          </Button>
        </div>
        <p aria-live="polite" role="status" className="mt-1 text-xs">
          {copied === 'yes' ? <span className="text-green-700">Copied to the clipboard.</span> : null}
          {copied === 'failed' ? <span className="text-red-700">Copying failed: select the link and copy it yourself.</span> : null}
        </p>
      </div>
      <p>
        It works once, until <Time value={result.expiresAt} />.
      </p>
      <p className="rounded-md bg-amber-50 px-3 py-2 text-amber-900 ring-1 ring-amber-200">
        This link is shown only now. Once you close this window it cannot be shown again.
      </p>
      <div className="flex justify-end pt-2">
        <Button type="button" onClick={onDone}>
          Done
        </Button>
      </div>
    </div>
  );
}
