'use server';

import { revalidatePath } from 'next/cache';
import { defineAction } from '@/lib/authz/define-action';
import { addIncidentNote } from '@/lib/dal/incidents';
import { IncidentNoteSchema } from '@/lib/validation/incidents';

/** Adds a note to an incident's timeline. */
export const addIncidentNoteAction = defineAction(
  { op: 'incident.note', input: IncidentNoteSchema, target: (i) => i.id },
  async ({ input, authz }) => {
    await addIncidentNote(authz, input.id, input.note);
    revalidatePath(`/incidents/${input.id}`);
    return null;
  },
);
