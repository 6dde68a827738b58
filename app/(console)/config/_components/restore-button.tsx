'use client';

import { useRouter } from 'next/navigation';
import { useState } from 'react';
import { Button } from '@/components/ui/button';
import type { ConfigKey } from '@/lib/config/keys';
import { stageConfigChangeAction } from '../_actions/stage-config-change';
import { failureText, UNREACHABLE } from './result-text';

/** "Restore this value": stages a rollback to one revision's value in the viewer's pending changes. */
export function RestoreButton({ configKey, revisionId, version }: { configKey: ConfigKey; revisionId: string; version: number }) {
  const router = useRouter();
  const [pending, setPending] = useState(false);
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);

  async function restore() {
    if (pending) return;
    setPending(true);
    setMessage(null);
    try {
      const result = await stageConfigChangeAction({ key: configKey, mode: 'rollback', revisionId });
      if (result.ok) {
        setMessage({ ok: true, text: `Version ${version}’s value was added to your pending changes.` });
        router.refresh();
      } else {
        setMessage({ ok: false, text: failureText(result) });
      }
    } catch {
      setMessage({ ok: false, text: UNREACHABLE });
    } finally {
      setPending(false);
    }
  }

  return (
    <div>
      <Button type="button" variant="secondary" className="px-2.5 py-1 text-xs" pending={pending} onClick={() => void restore()}>
        {pending ? 'Restoring…' : 'Restore this value'}
      </Button>
      <div role="status" aria-live="polite">
        {message ? <p className={`mt-1 max-w-xs text-xs ${message.ok ? 'text-emerald-800' : 'text-red-700'}`}>{message.text}</p> : null}
      </div>
    </div>
  );
}
