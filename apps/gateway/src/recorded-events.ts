import { type BehaviouralEventInput, eventFingerprint } from "@regulars/contracts";
import { Prisma, type SqlReader, sqlArray } from "@regulars/db";
import { stableId } from "@regulars/ids";
import type { Recorded } from "./recorded-before.ts";
import { type LookupAsk, RecordedLookups } from "./recorded-lookups.ts";

/**
 * What the resolver decided under an eventId, compared with a body posted now: `match` for the same body, `other`
 * for another. Events have no receipts, so an event accepted and not decided yet is not known here (the resolver
 * then tells a retry from a conflict itself, counting a conflict on the event's status).
 */
export type RecordedEvent = Exclude<Recorded, "unknown">;

/**
 * For each ask, what the resolver decided of each of its events, in their order (`applied_events`, its processed and
 * rejected outcomes and the dead letters' rows): one statement for all of them, whatever their tenants (`RecordedLookups`
 * gathers the asks of concurrent requests), read through the table's primary key (tenant_id, event_id). An event
 * not decided is absent. JetStream forgets an eventId after its duplicate window, the resolver keeps its decision:
 * a retry after that window must still hear duplicate, a changed body 409, never `accepted` for a second copy.
 */
export async function recordedEventsAll(
  reader: SqlReader,
  asks: readonly LookupAsk<BehaviouralEventInput>[],
): Promise<(RecordedEvent | undefined)[][]> {
  const idOf = (tenantId: string, e: BehaviouralEventInput) => stableId("event", tenantId, e.eventId);
  const tenants = asks.flatMap(({ tenantId, items }) => items.map(() => tenantId));
  const ids = asks.flatMap(({ tenantId, items }) => items.map((e) => idOf(tenantId, e)));
  if (!ids.length) return asks.map(() => []);
  // Each asked event probes the table by its key in a LATERAL subquery that LIMIT keeps from being flattened into a
  // join: a plan made once while `applied_events` was empty can then not hash all of it as it grows (`recordedAll`).
  const rows = await reader.rows<{ tenant_id: string; event_id: string; body_hash: string | null }>(Prisma.sql`
    SELECT a.tenant_id, a.event_id, a.body_hash
    FROM unnest(${sqlArray(tenants)}::text[], ${sqlArray(ids)}::text[]) AS w(tenant_id, event_id)
    CROSS JOIN LATERAL (
      SELECT tenant_id, event_id, body_hash FROM applied_events
      WHERE tenant_id = w.tenant_id AND event_id = w.event_id LIMIT 1
    ) a`);
  const hashOf = new Map(rows.map((r) => [`${r.tenant_id}\u0000${r.event_id}`, r.body_hash]));
  // Each event is judged on its own body, as transactions are (`recordedAll`), should one ask repeat an eventId.
  return asks.map(({ tenantId, items }) =>
    items.map((event) => {
      const key = `${tenantId}\u0000${idOf(tenantId, event)}`;
      if (!hashOf.has(key)) return undefined;
      const hash = hashOf.get(key);
      // Null: decided before fingerprints were kept, taken as matching (as the resolver takes it).
      return !hash || hash === eventFingerprint(event) ? "match" : "other";
    }),
  );
}

/** The posted events' lookups through `reader`, those of concurrent requests coalesced into one statement. */
export const recordedEventLookups = (reader: SqlReader) =>
  new RecordedLookups<BehaviouralEventInput, RecordedEvent>((asks) => recordedEventsAll(reader, asks));
