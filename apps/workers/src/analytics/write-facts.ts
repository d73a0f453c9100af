import {
  type Analytics,
  type BehaviouralEventFact,
  type CampaignEvent,
  insertCampaignEvents,
  isCampaignEvent,
  type TransactionFact,
} from "@regulars/analytics";
import type { Outcome } from "@regulars/bus";
import type { DomainEvent } from "@regulars/contracts";

/**
 * Writes resolved transactions and behavioural events to ClickHouse, one insert per table per batch
 * (ClickHouse wants few large inserts). Redelivered facts collapse in the ReplacingMergeTree tables.
 * Loyalty events (points.*, tier.changed, ...) are acknowledged here without work: the loyalty events
 * writer (write-loyalty-events.ts) reads the same stream with a durable of its own and stores them.
 * Campaign enrolments and message events go to their own tables here (campaign results).
 */
export async function writeFactsBatch(analytics: Analytics, events: DomainEvent[]): Promise<Outcome[]> {
  const transactions: TransactionFact[] = [];
  const behaviour: BehaviouralEventFact[] = [];
  const campaign: CampaignEvent[] = [];
  for (const e of events) {
    if (isCampaignEvent(e)) {
      campaign.push(e);
      continue;
    }
    if (e.type === "transaction.processed") {
      transactions.push({
        tenantId: e.tenantId,
        transactionId: e.transactionId,
        externalId: e.externalId,
        type: e.kind,
        refundOf: e.refundOf,
        occurredAt: e.occurredAt,
        locationId: e.locationId,
        channel: e.channel,
        customerId: e.customerId,
        currency: e.currency,
        total: e.total,
        discountTotal: e.discountTotal,
        points: e.points,
        lines: e.lines,
      });
    } else if (e.type === "event.recorded") {
      behaviour.push({
        tenantId: e.tenantId,
        eventId: e.eventId,
        type: e.eventType,
        occurredAt: e.occurredAt,
        customerId: e.customerId,
        locationId: e.locationId,
        channel: e.channel,
        properties: e.properties,
      });
    }
  }
  if (transactions.length) await analytics.insertTransactions(transactions);
  if (behaviour.length) await analytics.insertEvents(behaviour);
  if (campaign.length) await insertCampaignEvents(analytics, campaign);
  return events.map(() => ({ kind: "done" }));
}
