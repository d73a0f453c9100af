import {
  type Analytics,
  type BehaviouralEventFact,
  type CampaignEvent,
  insertCampaignEvents,
  isCampaignEvent,
  type TransactionFact,
} from "@regulars/analytics";
import type { Outcome } from "@regulars/bus";
import type { DomainEvent, EventRecorded, TransactionProcessed } from "@regulars/contracts";
import type { Db } from "@regulars/db";
import { writeUnderSurvivors } from "./survivors.ts";

type Fact = TransactionProcessed | EventRecorded | CampaignEvent;
const isFact = (e: DomainEvent): e is Fact =>
  e.type === "transaction.processed" || e.type === "event.recorded" || isCampaignEvent(e);

/**
 * Writes resolved transactions and behavioural events to ClickHouse, one insert per table per batch
 * (ClickHouse wants few large inserts), under the customer who holds them now (a merge's survivor: see
 * writeUnderSurvivors). Redelivered facts collapse in the ReplacingMergeTree tables.
 * Loyalty events (points.*, tier.changed, ...) are acknowledged here without work: the loyalty events
 * writer (write-loyalty-events.ts) reads the same stream with a durable of its own and stores them.
 * Campaign enrolments and message events go to their own tables here (campaign results).
 */
export async function writeFactsBatch(db: Db, analytics: Analytics, events: DomainEvent[]): Promise<Outcome[]> {
  const facts = events.filter(isFact);
  if (facts.length) await writeUnderSurvivors(db, analytics, facts, (resolved) => writeFacts(analytics, resolved));
  return events.map(() => ({ kind: "done" }));
}

async function writeFacts(analytics: Analytics, facts: Fact[]): Promise<void> {
  const transactions: TransactionFact[] = [];
  const behaviour: BehaviouralEventFact[] = [];
  const campaign: CampaignEvent[] = [];
  for (const e of facts) {
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
        couponUses: e.couponUses,
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
    } else campaign.push(e);
  }
  if (transactions.length) await analytics.insertTransactions(transactions);
  if (behaviour.length) await analytics.insertEvents(behaviour);
  if (campaign.length) await insertCampaignEvents(analytics, campaign);
}
