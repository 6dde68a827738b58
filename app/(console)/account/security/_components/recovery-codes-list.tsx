/** Recovery codes shown once, right after they are made. */
export function RecoveryCodesList({ codes }: { codes: string[] }) {
  return (
    <div className="mt-3 rounded-lg bg-amber-50 p-4 ring-1 ring-amber-200" role="region" aria-label="Your new recovery codes">
      <p className="text-sm font-medium text-amber-900">Save these recovery codes now. Each works once; they will not be shown again.</p>
      <ul className="mt-3 grid grid-cols-2 gap-2 font-mono text-sm" data-testid="recovery-codes">
        {codes.map((c) => (
          <li key={c} className="rounded bg-white px-2 py-1 ring-1 ring-amber-200">
            {c}
          </li>
        ))}
      </ul>
    </div>
  );
}
