import { type Affinity, tagAffinities } from "./affinities.ts";
import type { Daypart } from "./daypart.ts";
import type { OrderFact } from "./facts.ts";
import { locationVisits, preferredChannel, preferredDaypart } from "./preferences.ts";
import { type Rfm, type RfmBoundaries, rfmOf } from "./rfm.ts";
import { averageTicket, orderSpan, type Windows, windowTotals } from "./windows.ts";

/** A customer's behaviour as of one instant, everything derived from their order facts. */
export interface BehaviourProfile {
  asOf: string;
  windows: Windows;
  averageTicket: number;
  firstOrderAt: string | null;
  lastOrderAt: string | null;
  locations: { locationId: string; visits: number }[];
  favouriteLocationId: string | null;
  affinities: Affinity[];
  preferredChannel: string | null;
  preferredDaypart: Daypart | null;
  rfm: Rfm;
}

/** The whole profile as of `now`; `boundaries` are the tenant's RFM quintiles (null before the first computation). */
export function behaviourProfile(
  facts: readonly OrderFact[],
  now: Date,
  boundaries: RfmBoundaries | null,
): BehaviourProfile {
  const windows = windowTotals(facts, now);
  const span = orderSpan(facts, now);
  const locations = locationVisits(facts, now).map(({ locationId, visits }) => ({ locationId, visits }));
  return {
    asOf: now.toISOString(),
    windows,
    averageTicket: averageTicket(windows.lifetime),
    firstOrderAt: span.first?.toISOString() ?? null,
    lastOrderAt: span.last?.toISOString() ?? null,
    locations,
    favouriteLocationId: locations[0]?.locationId ?? null,
    affinities: tagAffinities(facts, now),
    preferredChannel: preferredChannel(facts, now),
    preferredDaypart: preferredDaypart(facts, now),
    rfm: rfmOf(windows, span.last, now, boundaries),
  };
}
