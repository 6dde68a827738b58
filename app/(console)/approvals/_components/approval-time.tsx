import { absoluteTime, relativeTime } from './approval-format';

/** A relative time ("3 h ago") with the absolute instant on hover and in the datetime attribute. */
export function RelativeTime({ value, now, tz }: { value: Date; now: Date; tz?: string }) {
  return (
    <time dateTime={value.toISOString()} title={absoluteTime(value, tz)} className="tabular-nums">
      {relativeTime(value, now)}
    </time>
  );
}
