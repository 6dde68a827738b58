import type { InputHTMLAttributes, ReactNode, SelectHTMLAttributes } from 'react';

const control =
  'mt-1 block w-full rounded-md border-0 px-3 py-1.5 text-sm text-slate-900 shadow-xs ring-1 ring-inset ring-slate-300 focus:ring-2 focus:ring-indigo-600';

/** A labelled text input for filter bars. */
export function TextField({ label, ...rest }: InputHTMLAttributes<HTMLInputElement> & { label: string }) {
  return (
    <label className="block text-xs font-medium text-slate-700">
      {label}
      <input {...rest} className={control} />
    </label>
  );
}

/** A labelled select with an "any" first option. */
export function SelectField({
  label,
  options,
  anyLabel = 'Any',
  ...rest
}: SelectHTMLAttributes<HTMLSelectElement> & { label: string; options: readonly string[]; anyLabel?: string; children?: ReactNode }) {
  return (
    <label className="block text-xs font-medium text-slate-700">
      {label}
      <select {...rest} className={control}>
        <option value="">{anyLabel}</option>
        {options.map((o) => (
          <option key={o} value={o}>
            {o}
          </option>
        ))}
      </select>
    </label>
  );
}
