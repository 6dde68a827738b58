import { TextField } from '@/components/ui/field';

/**
 * The auditor's offline kit: the standalone verifier download and a form that
 * downloads an export bundle (GET /api/audit/bundle, audited as audit.export).
 */
export function ExportTools({ headSeq }: { headSeq: number | null }) {
  return (
    <>
      <p className="mb-4 text-sm text-slate-600">
        <a href="/api/audit/verifier" download className="font-medium text-indigo-700 underline hover:text-indigo-600">
          Download the standalone verifier
        </a>{' '}
        (one file, plain Node 18 or newer, no access to this server needed): run{' '}
        <code className="font-mono text-xs">node warden-verify.mjs &lt;bundle-dir&gt; --keys &lt;public-keys.json&gt;</code> on an export
        bundle (from the form below or <code className="font-mono text-xs">npm run audit:export</code>), with the public-keys file you
        received through a separate channel.
      </p>
      <form
        method="get"
        action="/api/audit/bundle"
        aria-label="Download an export bundle"
        className="mb-4 flex flex-wrap items-end gap-3 rounded-xl bg-white p-4 shadow-sm ring-1 ring-slate-200"
      >
        <h2 className="w-full text-sm font-semibold text-slate-900">Download an export bundle</h2>
        <TextField label="From (seq or time)" name="from" required defaultValue={headSeq ? '1' : ''} placeholder="1" />
        <TextField
          label="To (seq or time)"
          name="to"
          required
          defaultValue={headSeq ? String(headSeq) : ''}
          placeholder="2026-11-01T00:00:00Z"
        />
        <button type="submit" className="rounded-md bg-indigo-600 px-3 py-1.5 text-sm font-semibold text-white hover:bg-indigo-500">
          Download (.tar)
        </button>
      </form>
    </>
  );
}
