import { done, type Outcome } from "@regulars/bus";
import { type ActiveCampaignCache, enrolFromEvent } from "@regulars/campaigns-store";
import { DomainEvent, domainEventTypes, type FrequencyCap } from "@regulars/contracts";
import { type Db, isTransientDbError } from "@regulars/db";
import type { OutboxItem } from "@regulars/ledger-store";
import type { z } from "zod";
import { domainMessageOf } from "../domain-message.ts";

const known = new Set<string>(domainEventTypes);

/**
 * A domain event as the campaign trigger worker reads it: any type of the `DomainEvent` union, parsed strictly
 * (a broken one is dead-lettered with the fields at fault); null for a type campaigns cannot listen to.
 */
export const CampaignTriggerMessage = domainMessageOf<DomainEvent>((type) => known.has(type), DomainEvent);
export type CampaignTriggerMessage = z.infer<typeof CampaignTriggerMessage>;

/**
 * Enrols each event's customer in the campaigns it triggers, one event after another (a customer's events in
 * stream order). Acknowledged after the commit; the enrolments' unique occurrence makes a redelivery plan nothing
 * new. A Postgres outage pauses the consumer; any other failure of one event is retried alone, then dead-lettered.
 */
export async function enrolTriggerBatch(
  db: Db,
  cache: ActiveCampaignCache,
  items: CampaignTriggerMessage[],
  now: () => Date,
  publish: (outbox: OutboxItem[]) => Promise<void>,
  tenantCaps?: (tenantId: string) => Promise<readonly FrequencyCap[]>,
): Promise<Outcome[]> {
  const outcomes: Outcome[] = [];
  for (const event of items) {
    if (event === null) {
      outcomes.push(done);
      continue;
    }
    try {
      const enrolled = await enrolFromEvent(db, cache, event, now(), tenantCaps);
      await publish(enrolled.outbox);
      outcomes.push(done);
    } catch (e) {
      if (isTransientDbError(e)) throw e;
      outcomes.push({ kind: "retry", reason: e instanceof Error ? e.message : String(e) });
    }
  }
  return outcomes;
}
