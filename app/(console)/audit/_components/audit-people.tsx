import { RoleBadge } from '@/components/ui/badge';
import { showControlCharacters } from '@/lib/audit/display';
import type { PersonDTO } from '@/lib/dal/audit-people';

/** The actor of an event: name and role at the time, or "system"/"anonymous". */
export function ActorCell({ id, role, people }: { id: string | null; role: string | null; people: Record<string, PersonDTO> }) {
  if (!id) return <span className="text-slate-500">{role === 'system' ? 'system' : 'anonymous'}</span>;
  const person = people[id];
  return (
    <span className="flex min-w-0 flex-col">
      <span className="flex items-center gap-2">
        {role ? <RoleBadge role={role} /> : null}
        <span className="truncate font-medium text-slate-900">{person ? showControlCharacters(person.name) : 'unknown account'}</span>
      </span>
      <span className="truncate font-mono text-xs text-slate-500" title={showControlCharacters(id)}>
        {person?.email ? showControlCharacters(person.email) : showControlCharacters(id.slice(0, 16))}
      </span>
    </span>
  );
}

/** The target of an event: a user's name where known, otherwise its type and id. */
export function TargetCell({ type, id, people }: { type: string | null; id: string | null; people: Record<string, PersonDTO> }) {
  if (!type) return <span className="text-slate-400">—</span>;
  const person = type === 'User' && id ? people[id] : undefined;
  return (
    <span className="flex min-w-0 flex-col">
      <span className="truncate text-slate-900" title={id ? `${showControlCharacters(type)} ${showControlCharacters(id)}` : undefined}>
        <span className="mr-1 text-xs font-medium text-slate-500">{showControlCharacters(type)}</span>
        {person ? (
          <>
            {showControlCharacters(person.name)} <span className="text-xs text-slate-500">({person.role})</span>
          </>
        ) : (
          <span className="font-mono text-xs">{id ? showControlCharacters(id.slice(0, 24)) : '—'}</span>
        )}
      </span>
    </span>
  );
}
