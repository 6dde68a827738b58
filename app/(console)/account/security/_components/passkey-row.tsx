'use client';

import { useRouter } from 'next/navigation';
import { useState, useTransition } from 'react';
import { Badge } from '@/components/ui/badge';
import { Button } from '@/components/ui/button';
import { renamePasskeyAction } from '../_actions/rename-passkey';
import type { PasskeyRow } from './passkeys-section';

/** One passkey: name, kind, dates, inline rename, and remove (the parent runs the step-up). */
export function PasskeyRowView({ passkey, onRemove, busy }: { passkey: PasskeyRow; onRemove: () => void; busy: boolean }) {
  const router = useRouter();
  const [editing, setEditing] = useState(false);
  const [name, setName] = useState(passkey.name);
  const [error, setError] = useState<string | null>(null);
  const [pending, startTransition] = useTransition();

  const save = () =>
    startTransition(async () => {
      setError(null);
      const r = await renamePasskeyAction({ id: passkey.id, name: name.trim() });
      if (!r.ok) {
        setError(r.fieldErrors?.name?.[0] ?? r.message);
        return;
      }
      setEditing(false);
      router.refresh();
    });

  return (
    <li className="flex items-center justify-between gap-4 px-4 py-3 text-sm" data-testid="passkey-row">
      <div className="min-w-0">
        {editing ? (
          <form
            className="flex items-center gap-2"
            onSubmit={(e) => {
              e.preventDefault();
              save();
            }}
          >
            <label className="sr-only" htmlFor={`rename-${passkey.id}`}>
              New name for {passkey.name}
            </label>
            <input
              id={`rename-${passkey.id}`}
              value={name}
              maxLength={64}
              onChange={(e) => setName(e.target.value)}
              className="rounded-md border-0 px-2 py-1 ring-1 ring-inset ring-slate-300 focus:ring-2 focus:ring-indigo-600"
            />
            <Button type="submit" pending={pending}>
              Save
            </Button>
            <Button type="button" variant="ghost" onClick={() => setEditing(false)}>
              Cancel
            </Button>
          </form>
        ) : (
          <p className="font-medium">
            {passkey.name} <Badge tone={passkey.deviceType === 'synced' ? 'sky' : 'violet'}>{passkey.deviceType}</Badge>{' '}
            {passkey.flagged ? <Badge tone="red">blocked: counter regression</Badge> : null}
          </p>
        )}
        <p className="text-slate-500">
          Added {passkey.createdAt} · last used {passkey.lastUsedAt ?? 'never'}
        </p>
        {error ? <p className="text-red-700">{error}</p> : null}
      </div>
      {editing ? null : (
        <div className="flex gap-1">
          <Button variant="ghost" onClick={() => setEditing(true)} aria-label={`Rename passkey ${passkey.name}`}>
            Rename
          </Button>
          <Button variant="ghost" onClick={onRemove} disabled={busy} aria-label={`Remove passkey ${passkey.name}`}>
            Remove
          </Button>
        </div>
      )}
    </li>
  );
}
