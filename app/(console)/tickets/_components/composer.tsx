'use client';

import { useId, useState } from 'react';
import { Button } from '@/components/ui/button';
import { COMMENT_MAX } from '@/lib/validation/tickets';
import { commentOnTicketAction } from '../_actions/comment-on-ticket';
import { FailureNote } from './failure-note';
import { useTicketAction } from './use-ticket-action';

type Kind = 'reply' | 'internal';

const KINDS: Record<Kind, { label: string; field: string; submit: string; hint: string }> = {
  reply: { label: 'Reply', field: 'Message to the requester', submit: 'Send reply', hint: 'The requester sees this.' },
  internal: {
    label: 'Internal note',
    field: 'Note for staff only',
    submit: 'Add internal note',
    hint: 'Only staff see this; the requester never does.',
  },
};

/**
 * Writes a reply to the requester or an internal note. The switch changes the
 * submit button's name too, so nobody sends a note to the requester by mistake.
 * Not a form action: React resets a form after an action, which would lose the
 * text on an error.
 */
export function Composer({ ticketId }: { ticketId: string }) {
  const ids = { body: useId(), hint: useId(), error: useId() };
  const [kind, setKind] = useState<Kind>('reply');
  const [body, setBody] = useState('');
  const { pending, failure, run } = useTicketAction();
  const current = KINDS[kind];
  const bodyError = failure?.fieldErrors?.body?.join(' ');

  async function submit() {
    const sent = await run(() => commentOnTicketAction({ ticketId, kind, body }));
    if (sent) setBody('');
  }

  return (
    <form
      data-testid="composer"
      aria-label="Add to the conversation"
      className={`rounded-xl p-4 shadow-sm ring-1 ${kind === 'internal' ? 'bg-amber-50 ring-amber-200' : 'bg-white ring-slate-200'}`}
      onSubmit={(e) => {
        e.preventDefault();
        void submit();
      }}
    >
      <fieldset className="flex gap-1" disabled={pending}>
        <legend className="sr-only">Kind of message</legend>
        {(Object.keys(KINDS) as Kind[]).map((k) => (
          <label
            key={k}
            className={`cursor-pointer rounded-md px-3 py-1.5 text-sm font-medium has-[:focus-visible]:ring-2 has-[:focus-visible]:ring-indigo-600 ${kind === k ? 'bg-slate-900 text-white' : 'text-slate-700 hover:bg-slate-100'}`}
          >
            <input type="radio" name="kind" value={k} checked={kind === k} onChange={() => setKind(k)} className="sr-only" />
            {KINDS[k].label}
          </label>
        ))}
      </fieldset>
      <label htmlFor={ids.body} className="mt-3 block text-sm font-medium text-slate-800">
        {current.field}
      </label>
      <p id={ids.hint} className="text-xs text-slate-600">
        {current.hint}
      </p>
      <textarea
        id={ids.body}
        name="body"
        rows={4}
        maxLength={COMMENT_MAX}
        value={body}
        onChange={(e) => setBody(e.target.value)}
        aria-invalid={!!bodyError}
        aria-describedby={bodyError ? `${ids.hint} ${ids.error}` : ids.hint}
        className="mt-1 block w-full rounded-md border-0 bg-white px-3 py-2 text-sm shadow-xs ring-1 ring-inset ring-slate-300 focus:ring-2 focus:ring-indigo-600"
      />
      {bodyError ? (
        <p id={ids.error} className="mt-1 text-xs text-red-700">
          {bodyError}
        </p>
      ) : null}
      <FailureNote failure={failure && !bodyError ? failure : null} />
      <div className="mt-3 flex justify-end">
        <Button type="submit" pending={pending}>
          {current.submit}
        </Button>
      </div>
    </form>
  );
}
