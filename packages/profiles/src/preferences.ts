import { DAYPARTS, type Daypart } from "./daypart.ts";
import { type OrderFact, orderFactsAsOf } from "./facts.ts";

export interface Tally<K extends string> {
  key: K;
  count: number;
  /** The latest sale counted, which breaks ties. */
  lastAt: Date;
}

/**
 * Sales per key (a voided sale is no visit), most first; equal counts → the key with the most recent sale first
 * (what the customer does now says more than what they did long ago), then the key itself, so the order never
 * depends on input order.
 */
export function tallySales<K extends string>(
  facts: readonly OrderFact[],
  now: Date,
  keyOf: (f: OrderFact) => K,
): Tally<K>[] {
  const tallies = new Map<K, Tally<K>>();
  for (const fact of orderFactsAsOf(facts, now)) {
    if (fact.kind !== "sale") continue;
    const key = keyOf(fact);
    const tally = tallies.get(key);
    if (!tally) tallies.set(key, { key, count: 1, lastAt: fact.occurredAt });
    else {
      tally.count += 1;
      if (fact.occurredAt > tally.lastAt) tally.lastAt = fact.occurredAt;
    }
  }
  return [...tallies.values()].sort(
    (a, b) => b.count - a.count || b.lastAt.getTime() - a.lastAt.getTime() || (a.key < b.key ? -1 : 1),
  );
}

/** Visits (sales) per location, most first; the first is the favourite. */
export const locationVisits = (facts: readonly OrderFact[], now: Date) =>
  tallySales(facts, now, (f) => f.locationId).map((t) => ({ locationId: t.key, visits: t.count, lastAt: t.lastAt }));

/** The top of a tally, or null when there was no sale. */
const top = <K extends string>(tallies: Tally<K>[]): K | null => tallies[0]?.key ?? null;

export const favouriteLocation = (facts: readonly OrderFact[], now: Date): string | null =>
  top(tallySales(facts, now, (f) => f.locationId));
export const preferredChannel = (facts: readonly OrderFact[], now: Date): string | null =>
  top(tallySales(facts, now, (f) => f.channel));
/** Stored dayparts outside the known five (none should exist) are ignored rather than reported. */
export const preferredDaypart = (facts: readonly OrderFact[], now: Date): Daypart | null =>
  top(tallySales(facts, now, (f) => f.daypart).filter((t) => DAYPARTS.includes(t.key)));
