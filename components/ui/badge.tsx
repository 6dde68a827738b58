import type { ReactNode } from 'react';

const TONES = {
  slate: 'bg-slate-100 text-slate-700 ring-slate-500/20',
  indigo: 'bg-indigo-50 text-indigo-700 ring-indigo-600/20',
  green: 'bg-green-50 text-green-700 ring-green-600/20',
  amber: 'bg-amber-50 text-amber-800 ring-amber-600/20',
  red: 'bg-red-50 text-red-700 ring-red-600/20',
  violet: 'bg-violet-50 text-violet-700 ring-violet-600/20',
  sky: 'bg-sky-50 text-sky-700 ring-sky-600/20',
} as const;

export type BadgeTone = keyof typeof TONES;

/** A small labelled status pill. */
export function Badge({ tone = 'slate', children }: { tone?: BadgeTone; children: ReactNode }) {
  return (
    <span className={`inline-flex items-center rounded-md px-2 py-0.5 text-xs font-medium ring-1 ring-inset ${TONES[tone]}`}>
      {children}
    </span>
  );
}

const ROLE_TONES: Record<string, BadgeTone> = {
  superadmin: 'violet',
  admin: 'indigo',
  auditor: 'sky',
  support: 'amber',
  member: 'slate',
};

/** A role, always shown with its label and a consistent colour. */
export function RoleBadge({ role }: { role: string }) {
  return <Badge tone={ROLE_TONES[role] ?? 'slate'}>{role}</Badge>;
}

const STATUS_TONES: Record<string, BadgeTone> = { active: 'green', suspended: 'amber', disabled: 'red' };

export function StatusBadge({ status }: { status: string }) {
  return <Badge tone={STATUS_TONES[status] ?? 'slate'}>{status}</Badge>;
}

const OUTCOME_TONES: Record<string, BadgeTone> = { success: 'green', denied: 'amber', failure: 'red' };

export function OutcomeBadge({ outcome }: { outcome: string }) {
  return <Badge tone={OUTCOME_TONES[outcome] ?? 'slate'}>{outcome}</Badge>;
}
