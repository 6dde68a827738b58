import { Badge, type BadgeTone } from '@/components/ui/badge';
import { ZonedTime } from '@/components/ui/zoned-time';
import { showControlCharacters } from '@/lib/audit/display';
import type { AlertDeliveryDTO } from '@/lib/dal/alerts';

const HEADERS = ['Status', 'Attempts', 'Last response', 'Next attempt', 'Delivered at'];
const TONES: Record<string, BadgeTone> = { pending: 'amber', delivering: 'sky', delivered: 'green', failed: 'red' };

/** The webhook deliveries of one alert: where each stands, and the last error if any. */
export function AlertDeliveriesTable({
  deliveries,
  webhookConfigured,
  tz,
}: {
  deliveries: AlertDeliveryDTO[];
  /** Whether alerts.webhook_url is set now (it may have been set after this alert was raised). */
  webhookConfigured: boolean;
  tz?: string;
}) {
  return (
    <section aria-labelledby="alert-deliveries" className="overflow-x-auto rounded-xl bg-white shadow-sm ring-1 ring-slate-200">
      <h2 id="alert-deliveries" className="px-5 pt-4 text-base font-semibold text-slate-900">
        Webhook deliveries
      </h2>
      {deliveries.length === 0 ? (
        <p data-testid="alert-no-deliveries" className="px-5 pb-4 pt-2 text-sm text-slate-600">
          {webhookConfigured ? (
            <>No webhook was configured when this alert was raised, so none was sent. New alerts are sent to the configured webhook.</>
          ) : (
            <>
              No webhook is configured, so none was sent for this alert. Set the configuration key{' '}
              <code className="font-mono">alerts.webhook_url</code> to have new alerts sent to another system.
            </>
          )}
        </p>
      ) : (
        <table className="mt-2 min-w-full divide-y divide-slate-200 text-sm" aria-labelledby="alert-deliveries">
          <thead className="bg-slate-50 text-left text-xs font-semibold uppercase tracking-wide text-slate-600">
            <tr>
              {HEADERS.map((h) => (
                <th key={h} scope="col" className="px-3 py-3">
                  {h}
                </th>
              ))}
            </tr>
          </thead>
          <tbody className="divide-y divide-slate-100">
            {deliveries.map((d) => (
              <tr key={d.id} data-testid="alert-delivery-row" data-status={d.status}>
                <td className="px-3 py-2 align-top">
                  <Badge tone={TONES[d.status] ?? 'slate'}>{showControlCharacters(d.status)}</Badge>
                </td>
                <td className="px-3 py-2 align-top tabular-nums text-slate-700">{d.attempts}</td>
                <td className="max-w-xs break-words px-3 py-2 align-top text-slate-700">
                  {d.lastStatus !== null ? <span className="font-mono tabular-nums">HTTP {d.lastStatus}</span> : null}
                  {d.lastError ? <span className="block text-xs text-red-800">{showControlCharacters(d.lastError)}</span> : null}
                  {d.lastStatus === null && !d.lastError ? <span className="text-slate-400">—</span> : null}
                </td>
                <td className="whitespace-nowrap px-3 py-2 align-top text-slate-600">
                  {d.status === 'pending' || d.status === 'delivering' ? (
                    <ZonedTime value={d.nextAttemptAt} tz={tz} compact />
                  ) : (
                    <span className="text-slate-400">—</span>
                  )}
                </td>
                <td className="whitespace-nowrap px-3 py-2 align-top text-slate-600">
                  {d.deliveredAt ? <ZonedTime value={d.deliveredAt} tz={tz} compact /> : <span className="text-slate-400">—</span>}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
