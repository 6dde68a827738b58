import type { AuditDashboardDTO } from '@/lib/dal/audit-dashboard';
import type { AuditFilter } from '@/lib/validation/audit-filter';
import { isRole } from '@/policies/roles';
import { BarChart, TimeChart, type BarRow, type ChartSeries } from './charts';
import { bucketHref, bucketLabel, drillHref, type DrillFields } from './drill-down';
import { Panel } from './panel';
import { TopActors } from './top-actors';

// Colours with at least 3:1 contrast on white (WCAG 1.4.11 for graphics), distinct side by side.
const ROLE_COLORS: Record<string, string> = {
  superadmin: '#6d28d9',
  admin: '#1d4ed8',
  auditor: '#0f766e',
  support: '#b45309',
  member: '#be185d',
  '': '#475569',
};
const OUTCOME_COLORS: Record<string, string> = { success: '#15803d', denied: '#b91c1c', failure: '#c2410c' };
const SIGN_IN_COLORS = ['#c2410c', '#b91c1c', '#0369a1', '#6d28d9'];
const OUTCOMES = ['success', 'denied', 'failure'] as const;
const fmt = new Intl.NumberFormat('en-US');

const roleLabel = (role: string) => (role === '' ? 'No actor (system)' : role);

/** Every panel of the dashboard, in a two-column grid. */
export function DashboardPanels({ data, filter }: { data: AuditDashboardDTO; filter: AuditFilter }) {
  const labels = data.buckets.map((b) => bucketLabel(b, data.granularity, data.tz));
  const last = data.buckets.length - 1;
  const open = (i: number) => i === last && data.to === null;
  const perBucket = (fields: DrillFields) => (i: number) => bucketHref(filter, data.buckets[i]!, open(i), fields);
  const period = data.granularity === 'hour' ? 'per hour' : `per day (${data.tz})`;
  const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);

  const roleSeries: ChartSeries[] = data.byRole.map((s) => ({
    key: s.role || 'none',
    label: roleLabel(s.role),
    color: ROLE_COLORS[s.role] ?? '#334155',
    values: s.counts,
    // Events without an actor have no role to filter on: no drill-down rather than a wider one.
    href: isRole(s.role) ? perBucket({ role: s.role }) : undefined,
  }));
  const signIn: ChartSeries[] = data.signInFailures.map((s, i) => ({
    key: `${s.operation}-${s.outcome}`,
    label: `${s.operation} ${s.outcome}`,
    color: SIGN_IN_COLORS[i % SIGN_IN_COLORS.length]!,
    values: s.counts,
    href: perBucket({ operation: s.operation as DrillFields['operation'], outcome: s.outcome as DrillFields['outcome'] }),
  }));
  const outcomeSegments = (outcomes: Record<string, number>, fields: DrillFields | null) =>
    OUTCOMES.map((o) => ({
      key: o,
      label: o,
      color: OUTCOME_COLORS[o]!,
      value: outcomes[o] ?? 0,
      href: fields ? drillHref(filter, { ...fields, outcome: o }) : undefined,
    }));
  const opRows: BarRow[] = data.byOperation.map((r) => {
    const fields = r.operation ? { operation: r.operation as DrillFields['operation'] } : null;
    return {
      key: r.operation ?? 'other',
      label: r.operation ?? 'Other operations',
      href: fields ? drillHref(filter, fields) : undefined,
      segments: outcomeSegments(r.outcomes, fields),
    };
  });
  const targetRows: BarRow[] = data.byTargetType.map((r) => {
    const href = r.targetType ? drillHref(filter, { targetType: r.targetType as DrillFields['targetType'] }) : undefined;
    return {
      key: r.targetType || 'none',
      label: r.targetType || 'No target',
      href,
      segments: [{ key: 'count', label: 'Events', color: '#4338ca', value: r.count, href }],
    };
  });
  const stepUpRows: BarRow[] = OUTCOMES.map((o) => {
    const href = drillHref(filter, { operation: 'auth.step_up', outcome: o });
    return { key: o, label: o, href, segments: [{ key: o, label: o, color: OUTCOME_COLORS[o]!, value: data.stepUps[o] ?? 0, href }] };
  });

  return (
    <div className="grid grid-cols-1 gap-4 lg:grid-cols-2">
      <Panel
        id="activity"
        wide
        title="Activity by actor role"
        description={`Events ${period}, stacked by the role the actor held.`}
        links={[{ label: 'View events', href: drillHref(filter) }]}
      >
        <TimeChart
          caption={`Events ${period} by actor role`}
          summary={`Stacked bar chart: ${fmt.format(data.totals.events)} events in ${labels.length} periods, by actor role (${roleSeries.map((s) => `${s.label} ${fmt.format(sum(s.values))}`).join(', ') || 'none'}).`}
          labels={labels}
          series={roleSeries}
          totalHref={perBucket({})}
        />
      </Panel>
      <Panel
        id="denied"
        title="Denied attempts"
        description={`Requests the policy refused, ${period}.`}
        links={[{ label: 'View denied', href: drillHref(filter, { outcome: 'denied' }) }]}
      >
        <TimeChart
          caption={`Denied attempts ${period}`}
          summary={`Bar chart: ${fmt.format(data.totals.denied)} denied attempts in ${labels.length} periods; the busiest had ${fmt.format(Math.max(0, ...data.denied))}.`}
          labels={labels}
          series={[
            { key: 'denied', label: 'Denied', color: OUTCOME_COLORS.denied!, values: data.denied, href: perBucket({ outcome: 'denied' }) },
          ]}
        />
      </Panel>
      <Panel
        id="sign-in-failures"
        title="Sign-in failures"
        description={`Failed or refused password and second-factor attempts, ${period}.`}
        links={signIn.map((s, i) => ({
          label: s.label,
          href: drillHref(filter, {
            operation: data.signInFailures[i]!.operation as DrillFields['operation'],
            outcome: data.signInFailures[i]!.outcome as DrillFields['outcome'],
          }),
        }))}
      >
        <TimeChart
          caption={`Sign-in failures ${period}`}
          summary={`Stacked bar chart of sign-in failures: ${signIn.map((s) => `${s.label} ${fmt.format(sum(s.values))}`).join(', ')}.`}
          labels={labels}
          series={signIn}
        />
      </Panel>
      <Panel
        id="operations"
        title="By operation"
        description="The 8 most frequent operations, by outcome; the rest as “Other”."
        links={[{ label: 'View events', href: drillHref(filter) }]}
      >
        <BarChart
          caption="Events by operation and outcome"
          summary={`Horizontal bar chart: ${opRows.map((r) => `${r.label} ${fmt.format(sum(r.segments.map((s) => s.value)))}`).join(', ') || 'no events'}.`}
          rows={opRows}
        />
      </Panel>
      <Panel
        id="targets"
        title="By resource type"
        description="What the events acted on."
        links={[{ label: 'View events', href: drillHref(filter) }]}
      >
        <BarChart
          caption="Events by target (resource) type"
          summary={`Horizontal bar chart: ${targetRows.map((r) => `${r.label} ${fmt.format(r.segments[0]!.value)}`).join(', ') || 'no events'}.`}
          rows={targetRows}
        />
      </Panel>
      <Panel
        id="step-ups"
        title="Step-ups"
        description="Fresh second-factor checks before sensitive operations, by outcome."
        links={[{ label: 'View step-ups', href: drillHref(filter, { operation: 'auth.step_up' }) }]}
      >
        <BarChart
          caption="Step-ups by outcome"
          summary={`Horizontal bar chart: ${stepUpRows.map((r) => `${r.label} ${fmt.format(r.segments[0]!.value)}`).join(', ')}.`}
          rows={stepUpRows}
        />
      </Panel>
      <TopActors data={data} filter={filter} />
    </div>
  );
}
