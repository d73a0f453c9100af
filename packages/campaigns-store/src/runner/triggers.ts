import {
  causeDepthAfter,
  causingCampaignOf,
  hearsCause,
  matchTrigger,
  type TriggerFacts,
  type TriggerMatch,
} from "@regulars/campaigns";
import type { DomainEvent, FrequencyCap } from "@regulars/contracts";
import { type Db, exactNumber, withTransaction } from "@regulars/db";
import type { ActiveCampaignCache, RunnableCampaign } from "./active-campaigns.ts";
import { causeDepthOf, causeOf } from "./cause-depth.ts";
import { causeChoseByBehaviourOf } from "./cause-profiling.ts";
import { type EnrolResult, enrolOccurrences } from "./enrol.ts";
import { eventLocationZone } from "./event-location-zone.ts";
import { recordedAt } from "./recorded-at.ts";

/**
 * The customer's sales processed up to and including this one: `first_purchase` fires at 1. Counted by
 * processing order, so a redelivery of the first sale after a second one has been processed counts 2 and plans
 * nothing, which is right: the first delivery planned it.
 */
async function salesUpTo(db: Db, tenantId: string, customerId: string, transactionId: string): Promise<number> {
  const [row] = await db.$queryRaw<{ n: bigint }[]>`
    SELECT count(*) AS n FROM transactions t, transactions me
    WHERE me.id = ${transactionId} AND me.tenant_id = ${tenantId}
      AND t.tenant_id = ${tenantId} AND t.customer_id = ${customerId} AND t.type = 'sale'
      AND (t.processed_at, t.id) <= (me.processed_at, me.id)`;
  return exactNumber(row?.n);
}

async function factsFor(db: Db, campaigns: RunnableCampaign[], event: DomainEvent): Promise<TriggerFacts> {
  const wantsSales = campaigns.some((c) => c.definition.trigger.type === "first_purchase");
  if (!wantsSales || event.type !== "transaction.processed" || event.kind !== "sale" || !event.customerId) return {};
  return { customerSales: await salesUpTo(db, event.tenantId, event.customerId, event.transactionId) };
}

/**
 * Whether the campaign listens to the event at all. Never to what its own steps or enrolments caused (a campaign's
 * bonus announced as points.earned would start it again, without end); what other campaigns caused is judged once
 * matched, by the chain's depth (`hearsCause`). Nor to a `skipped` enrolment (the correction of an enrolment that
 * reached no one, not a customer entering anything); and never to what was known before it started (`recordedAt`): a
 * new durable reads the domain stream from its start, and a campaign activated today must not welcome last week's
 * registrations.
 */
const listensTo = (campaign: RunnableCampaign, event: DomainEvent, knownAt: number) =>
  !(event.type === "campaign.enrolled" && event.outcome === "skipped") &&
  causingCampaignOf(event) !== campaign.id &&
  (campaign.startedAt === null || knownAt >= campaign.startedAt.getTime());

/** When the event became known, looked up only when its own time is before some campaign's start. */
async function knownAtFor(db: Db, campaigns: RunnableCampaign[], event: DomainEvent, now: Date): Promise<number> {
  const occurred = Date.parse(event.occurredAt);
  const startedLater = campaigns.some((c) => c.startedAt !== null && c.startedAt.getTime() > occurred);
  return startedLater ? recordedAt(db, event, now) : occurred;
}

/**
 * Enrols the event's customer in every active campaign of the tenant whose trigger the event matches, one
 * transaction per match (a campaign's failure does not undo another's enrolment; a retry finds those done and
 * plans nothing new). Returns what was enrolled and the outbox to publish once committed.
 */
export async function enrolFromEvent(
  db: Db,
  cache: ActiveCampaignCache,
  event: DomainEvent,
  now: Date,
  tenantCaps?: (tenantId: string) => Promise<readonly FrequencyCap[]>,
): Promise<EnrolResult> {
  const total: EnrolResult = { entered: 0, control: 0, refused: 0, skipped: 0, outbox: [] };
  if (!("customerId" in event) || !event.customerId) return total;
  const active = await cache.forTenant(event.tenantId, now.getTime());
  const knownAt = await knownAtFor(db, active, event, now);
  const campaigns = active.filter((c) => listensTo(c, event, knownAt));
  if (!campaigns.length) return total;
  const facts = await factsFor(db, campaigns, event);
  const matched = campaigns
    .map((campaign) => ({ campaign, match: matchTrigger(campaign.definition, event, facts) }))
    .filter((m): m is { campaign: RunnableCampaign; match: TriggerMatch } => m.match !== null);
  if (!matched.length) return total;
  // Looked up once some campaign matched, not for every bonus and message announced; one statement serves the depth and
  // the profiling the cause passes on.
  const cause = await causeOf(db, event);
  const depth = causeDepthOf(event, cause);
  const matches = matched.filter((m) => hearsCause(m.campaign.id, event, depth));
  if (!matches.length) return total;
  const zones = {
    tenant: await cache.tenantZone(event.tenantId),
    location: await eventLocationZone(db, cache, event, now),
  };
  const caps = await tenantCaps?.(event.tenantId);
  // A follow-up on another campaign's doing reaches whom that campaign chose: by behaviour, with profiling consent.
  const causeChoseByBehaviour = await causeChoseByBehaviourOf(db, event.tenantId, cause);
  for (const { campaign, match } of matches) {
    const done = await withTransaction(db, (tx) =>
      enrolOccurrences(tx, {
        campaign,
        zones,
        entries: [match],
        now,
        tenantCaps: caps,
        causeDepth: causeDepthAfter(depth),
        causeChoseByBehaviour,
      }),
    );
    total.entered += done.entered;
    total.control += done.control;
    total.refused += done.refused;
    total.skipped += done.skipped;
    total.outbox.push(...done.outbox);
  }
  return total;
}
