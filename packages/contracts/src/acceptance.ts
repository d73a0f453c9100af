/**
 * When a posted `occurredAt` is believable. Offline POS terminals upload a backlog days later, so the
 * past is generous; the future is a clock-skew allowance only. Anything outside is refused at the door
 * (400 `occurred_at_out_of_range`): a sale dated next year would otherwise be evaluated against a
 * programme nobody configured yet and sit in analytics partitions no report looks at.
 */
export interface OccurredAtWindow {
  maxAgeDays: number;
  maxAheadSeconds: number;
}

export const defaultOccurredAtWindow: OccurredAtWindow = { maxAgeDays: 35, maxAheadSeconds: 300 };

/** Null when `occurredAt` lies in the window around `now`, else the reason, as an integrator reads it. */
export function occurredAtOutOfRange(occurredAt: string, now: Date, window: OccurredAtWindow): string | null {
  const at = Date.parse(occurredAt);
  const earliest = now.getTime() - window.maxAgeDays * 86_400_000;
  const latest = now.getTime() + window.maxAheadSeconds * 1_000;
  if (at < earliest)
    return `must not be more than ${window.maxAgeDays} days in the past (earliest accepted now: ${new Date(earliest).toISOString()})`;
  if (at > latest)
    return `must not be more than ${window.maxAheadSeconds} seconds in the future (check the terminal's clock; latest accepted now: ${new Date(latest).toISOString()})`;
  return null;
}
