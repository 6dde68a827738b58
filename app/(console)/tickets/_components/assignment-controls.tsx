'use client';

import { useRouter } from 'next/navigation';
import { useId, useState } from 'react';
import { Button } from '@/components/ui/button';
import { showControlCharacters } from '@/lib/audit/display';
import { assignTicketAction } from '../_actions/assign-ticket';
import { unassignTicketAction } from '../_actions/unassign-ticket';
import { FailureNote } from './failure-note';
import { useTicketAction } from './use-ticket-action';

const UNASSIGNED = '';

/** Assigns the ticket to an active support agent or returns it to the queue (admins; the server checks again). */
export function AssignControl({
  ticketId,
  assigneeId,
  agents,
}: {
  ticketId: string;
  assigneeId: string | null;
  agents: { id: string; name: string }[];
}) {
  const selectId = useId();
  const [choice, setChoice] = useState(assigneeId ?? UNASSIGNED);
  const { pending, failure, run } = useTicketAction();
  // A ticket assigned to someone who is no longer an active agent still shows who has it.
  const known = assigneeId === null || agents.some((a) => a.id === assigneeId);
  const unchanged = choice === (assigneeId ?? UNASSIGNED);

  return (
    <form
      data-testid="assign-control"
      aria-label="Assignment"
      onSubmit={(e) => {
        e.preventDefault();
        void run(() => assignTicketAction({ ticketId, assigneeId: choice === UNASSIGNED ? null : choice }));
      }}
    >
      <label htmlFor={selectId} className="block text-sm font-medium text-slate-800">
        Assignee
      </label>
      <div className="mt-1 flex gap-2">
        <select
          id={selectId}
          value={choice}
          onChange={(e) => setChoice(e.target.value)}
          disabled={pending}
          className="block w-full rounded-md border-0 px-3 py-1.5 text-sm text-slate-900 shadow-xs ring-1 ring-inset ring-slate-300 focus:ring-2 focus:ring-indigo-600"
        >
          <option value={UNASSIGNED}>Unassigned</option>
          {known ? null : (
            <option value={assigneeId ?? UNASSIGNED} disabled>
              Current assignee (not an active agent)
            </option>
          )}
          {agents.map((a) => (
            <option key={a.id} value={a.id}>
              {showControlCharacters(a.name)}
            </option>
          ))}
        </select>
        <Button type="submit" pending={pending} disabled={unchanged}>
          Assign
        </Button>
      </div>
      <FailureNote failure={failure} />
    </form>
  );
}

/** The assigned agent gives the ticket back to the queue; they cannot read it afterwards, so this goes back to the list. */
export function UnassignSelfButton({ ticketId }: { ticketId: string }) {
  const router = useRouter();
  const { pending, failure, run } = useTicketAction();
  return (
    <div>
      <Button
        data-testid="unassign-self"
        variant="secondary"
        pending={pending}
        onClick={() =>
          void run(
            () => unassignTicketAction({ ticketId }),
            () => router.push('/tickets'),
          )
        }
      >
        Unassign me
      </Button>
      <p className="mt-1 text-xs text-slate-500">Returns the ticket to the unassigned queue; you will no longer see it.</p>
      <FailureNote failure={failure} />
    </div>
  );
}
