'use client';

import { startRegistration } from '@simplewebauthn/browser';
import { useRouter } from 'next/navigation';
import { useState, useTransition } from 'react';
import { Button } from '@/components/ui/button';
import { useStepUp } from '../../../_components/use-step-up';
import { beginPasskeyRegistrationAction } from '../_actions/begin-passkey-registration';
import { finishPasskeyRegistrationAction } from '../_actions/finish-passkey-registration';
import { removePasskeyAction } from '../_actions/remove-passkey';
import { PasskeyRowView } from './passkey-row';
import { RecoveryCodesList } from './recovery-codes-list';

export interface PasskeyRow {
  id: string;
  name: string;
  createdAt: string;
  lastUsedAt: string | null;
  deviceType: 'synced' | 'device-bound';
  flagged: boolean;
}

/** Passkeys: list, register (with step-up once enrolled), remove (with step-up bound to the passkey). */
export function PasskeysSection({ passkeys, enrolled }: { passkeys: PasskeyRow[]; enrolled: boolean }) {
  const router = useRouter();
  const { run, dialog } = useStepUp({ enrolled });
  const [name, setName] = useState('');
  const [message, setMessage] = useState<string | null>(null);
  const [codes, setCodes] = useState<string[] | null>(null);
  const [pending, startTransition] = useTransition();

  const register = () =>
    startTransition(async () => {
      setMessage(null);
      const input = { name: name.trim() || 'Passkey' };
      const begin = await run('account.passkey_register', beginPasskeyRegistrationAction, input);
      if (!begin.ok) {
        setMessage(begin.message);
        return;
      }
      let response;
      try {
        response = await startRegistration({ optionsJSON: begin.data.options });
      } catch {
        setMessage('The passkey prompt was closed. Nothing was registered.');
        return;
      }
      const finish = await finishPasskeyRegistrationAction({ name: input.name, response });
      if (!finish.ok) {
        setMessage(finish.message);
        return;
      }
      if (finish.data.recoveryCodes) setCodes(finish.data.recoveryCodes);
      setName('');
      router.refresh();
    });

  const remove = (id: string) =>
    startTransition(async () => {
      setMessage(null);
      const r = await run('account.passkey_remove', removePasskeyAction, { id });
      if (!r.ok) setMessage(r.message);
      else router.refresh();
    });

  return (
    <div className="space-y-4">
      {passkeys.length > 0 ? (
        <ul className="divide-y divide-slate-100 rounded-lg ring-1 ring-slate-200">
          {passkeys.map((p) => (
            <PasskeyRowView key={p.id} passkey={p} onRemove={() => remove(p.id)} busy={pending} />
          ))}
        </ul>
      ) : (
        <p className="text-sm text-slate-600">No passkeys yet.</p>
      )}
      <div className="flex flex-wrap items-end gap-2">
        <label className="text-sm font-medium">
          Name for a new passkey
          <input
            value={name}
            onChange={(e) => setName(e.target.value)}
            maxLength={64}
            placeholder="e.g. Work laptop"
            className="mt-1 block w-64 rounded-md border-0 px-3 py-2 text-sm ring-1 ring-inset ring-slate-300 focus:ring-2 focus:ring-indigo-600"
          />
        </label>
        <Button onClick={register} pending={pending}>
          Add a passkey
        </Button>
      </div>
      <p aria-live="polite" role="status" className="text-sm text-red-700">
        {message}
      </p>
      {codes ? <RecoveryCodesList codes={codes} /> : null}
      {dialog}
    </div>
  );
}
