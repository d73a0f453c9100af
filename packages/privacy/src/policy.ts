import type { RetentionSettings } from "./privacy.types.ts";

/** Tables found holding customer ids that the classification does not name: each needs one line in tables.ts. */
export function unclassifiedTables(found: Iterable<string>, classified: Iterable<string>): string[] {
  const known = new Set(classified);
  return [...new Set(found)].filter((t) => !known.has(t)).sort();
}

/** `months` calendar months before `now`, in UTC; a day past the shorter month's end clamps to its last day. */
export function monthsBefore(now: Date, months: number): Date {
  const d = new Date(now.getTime());
  const day = d.getUTCDate();
  d.setUTCDate(1);
  d.setUTCMonth(d.getUTCMonth() - months);
  const lastDay = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 0)).getUTCDate();
  d.setUTCDate(Math.min(day, lastDay));
  return d;
}

export interface RetentionCutoffs {
  /** Behavioural events that occurred before this go. */
  eventsBefore: Date | null;
  devMessagesBefore: Date | null;
  /** Messages that left the queue before this lose their address and text. */
  messagesBefore: Date | null;
  /** Customers with no activity since this are erased. */
  inactiveBefore: Date | null;
}

export function retentionCutoffs(settings: RetentionSettings, now: Date): RetentionCutoffs {
  return {
    eventsBefore: settings.eventsMonths === null ? null : monthsBefore(now, settings.eventsMonths),
    devMessagesBefore:
      settings.devMessagesDays === null ? null : new Date(now.getTime() - settings.devMessagesDays * 86_400_000),
    messagesBefore:
      settings.messagesDays === null ? null : new Date(now.getTime() - settings.messagesDays * 86_400_000),
    inactiveBefore: settings.eraseInactiveMonths === null ? null : monthsBefore(now, settings.eraseInactiveMonths),
  };
}
