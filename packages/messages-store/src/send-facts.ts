import {
  afterQuietHours,
  type ConsentChoice,
  deliveryZone,
  isKnownZone,
  LATE_LOCAL_TIME_GRACE_MS,
  lastLocalTimeSendAt,
  scheduledSendAt,
} from "@regulars/campaigns";
import { CampaignDelivery, type ConsentPurpose } from "@regulars/contracts";
import { consentInForceOrder } from "@regulars/customers-store";
import type { Db } from "@regulars/db";
import { reachablePhoneSql } from "@regulars/ledger-store";
import type { PushDevice } from "@regulars/messaging";
import { z } from "zod";
import type { ClaimedMessage } from "./claim.ts";
import { consentPurposesOf } from "./send-purposes.ts";

/** A message as the check before sending reads it: one claimed, or one queued that a cap counts. */
export type CheckedMessage = Pick<
  ClaimedMessage,
  "id" | "tenantId" | "customerId" | "campaignId" | "channel" | "sendAt" | "attempts" | "transactional" | "deliveryZone"
> & {
  /** A queued one of another claim that failed before: when it is tried again. */
  retryAt?: Date | undefined;
};

export interface RecipientRow {
  /** The message's customer. */
  id: string;
  /**
   * Whom the facts are of: the customer, or the account it was merged into. A merge moves consents, push devices and
   * the phone's identity to the survivor and leaves queued messages where they were, so a merged-away customer's
   * message is the survivor's to receive: by their consents and at their address (erased if either is).
   */
  person_id: string;
  tenant_id: string;
  email: string | null;
  phone: string | null;
  erased_at: Date | null;
  push_platform: string | null;
  push_token: string | null;
}

export interface CampaignRow {
  id: string;
  tenant_id: string;
  status: string;
  definition: unknown;
  timezone: string;
}

/** What the check reads, one statement per kind of fact: customers and consents by customer, purposes by message. */
export interface SendFacts {
  recipients: Map<string, RecipientRow>;
  campaigns: Map<string, CampaignRow>;
  consents: Map<string, ConsentChoice[]>;
  purposes: Map<string, ConsentPurpose[]>;
}

const noFacts = (): SendFacts => ({
  recipients: new Map(),
  campaigns: new Map(),
  consents: new Map(),
  purposes: new Map(),
});

/**
 * The facts of `messages` added to `known`: only what `known` lacks is read, so the queued messages a cap counts
 * (of the claim's customers) cost a read of their campaigns and purposes, not of the customers again.
 */
export async function sendFacts(
  db: Db,
  messages: readonly CheckedMessage[],
  known: SendFacts = noFacts(),
): Promise<SendFacts> {
  const newCustomers = messages.filter((m) => m.customerId && !known.recipients.has(m.customerId));
  const customerIds = [...new Set(newCustomers.map((m) => m.customerId!))];
  const campaignIds = [
    ...new Set(messages.flatMap((m) => (m.campaignId && !known.campaigns.has(m.campaignId) ? [m.campaignId] : []))),
  ];
  const [recipients, campaigns, consents, purposes] = await Promise.all([
    customerIds.length
      ? db.$queryRaw<RecipientRow[]>`
          SELECT own.id, c.id AS person_id, c.tenant_id, c.email, ${reachablePhoneSql("c")} AS phone,
            coalesce(c.erased_at, own.erased_at) AS erased_at, t.platform AS push_platform, t.token AS push_token
          FROM customers own
          LEFT JOIN customer_merges cm ON cm.tenant_id = own.tenant_id AND cm.merged_id = own.id
          JOIN customers c ON c.id = coalesce(cm.into_id, own.id)
          LEFT JOIN LATERAL (
            SELECT platform, token FROM customer_push_tokens
            WHERE tenant_id = c.tenant_id AND customer_id = c.id ORDER BY updated_at DESC, device_id LIMIT 1
          ) t ON true
          WHERE own.id = ANY(${customerIds}::text[])`
      : [],
    campaignIds.length
      ? db.$queryRaw<CampaignRow[]>`
          SELECT c.id, c.tenant_id, c.status, v.definition, t.timezone FROM campaigns c
          JOIN tenants t ON t.id = c.tenant_id
          LEFT JOIN campaign_versions v ON v.campaign_id = c.id AND v.version = c.version
          WHERE c.id = ANY(${campaignIds}::text[])`
      : [],
    currentConsentsOf(db, newCustomers),
    consentPurposesOf(
      db,
      messages.filter((m) => !known.purposes.has(m.id)),
    ),
  ]);
  return {
    recipients: new Map([...known.recipients, ...recipients.map((r) => [r.id, r] as const)]),
    campaigns: new Map([...known.campaigns, ...campaigns.map((c) => [c.id, c] as const)]),
    consents: new Map([...known.consents, ...consents]),
    purposes: new Map([...known.purposes, ...purposes]),
  };
}

/**
 * The person a message's customer is now: the account it was merged into, else itself. One level is the whole
 * chain: a merge re-points the merges into its merged customer at its survivor (`mergeCustomer`).
 */
export const personOf = (facts: SendFacts, customerId: string): string =>
  facts.recipients.get(customerId)?.person_id ?? customerId;

/**
 * The consents in force of many customers, by customer (`currentConsents` of each, in one statement): a merged-away
 * customer's are its survivor's, where the merge moved them and where the person chooses from now on.
 */
async function currentConsentsOf(db: Db, messages: readonly CheckedMessage[]) {
  const out = new Map<string, ConsentChoice[]>();
  const pairs = [...new Set(messages.flatMap((m) => (m.customerId ? [`${m.tenantId} ${m.customerId}`] : [])))];
  if (!pairs.length) return out;
  const rows = await db.$queryRaw<
    { customer_id: string; channel: string; purpose: string; granted: boolean; occurred_at: Date }[]
  >`
    SELECT DISTINCT ON (k.customer_id, channel, purpose) k.customer_id, channel, purpose, granted, occurred_at
    FROM (SELECT split_part(p, ' ', 1) AS tenant_id, split_part(p, ' ', 2) AS customer_id
          FROM unnest(${pairs}::text[]) AS p) k
    LEFT JOIN customer_merges cm ON cm.tenant_id = k.tenant_id AND cm.merged_id = k.customer_id
    JOIN customer_consents cc ON cc.tenant_id = k.tenant_id AND cc.customer_id = coalesce(cm.into_id, k.customer_id)
    ORDER BY k.customer_id, channel, purpose, ${consentInForceOrder}`;
  for (const r of rows) {
    const list = out.get(r.customer_id) ?? [];
    list.push({
      channel: r.channel as ConsentChoice["channel"],
      purpose: r.purpose as ConsentChoice["purpose"],
      granted: r.granted,
      occurredAt: r.occurred_at,
    });
    out.set(r.customer_id, list);
  }
  // A customer without a consent row is known too: not read again for the messages a cap counts.
  for (const m of messages) if (m.customerId && !out.has(m.customerId)) out.set(m.customerId, []);
  return out;
}

export function addressNow(channel: ClaimedMessage["channel"], r: RecipientRow): string | PushDevice | null {
  switch (channel) {
    case "email":
      return r.email;
    case "sms":
      return r.phone;
    case "push":
      return r.push_platform && r.push_token
        ? { platform: r.push_platform as PushDevice["platform"], token: r.push_token }
        : null;
  }
}

const Delivery = z.object({ delivery: CampaignDelivery.optional() });

/**
 * When the quiet hours a message would reach the customer in end, or null outside them. Planning put its `send_at`
 * outside them; one sent late (its campaign paused at 17:55 and resumed at 23:00) would arrive at night without
 * this.
 */
export function quietHoursEnd(campaign: CampaignRow, m: Pick<CheckedMessage, "deliveryZone">, at: Date): Date | null {
  const delivery = Delivery.safeParse(campaign.definition).data?.delivery;
  if (!delivery?.quietHours) return null;
  const end = afterQuietHours(at, delivery.quietHours, plannedZone(campaign, delivery, m));
  return end.getTime() > at.getTime() ? end : null;
}

/**
 * When a local-time message going out well after its time ("18:00", its campaign paused at 18:01 and resumed at
 * 23:30) goes instead: the next such local time (as `scheduledSendAt` times it, past quiet hours), or null when it
 * is on time or not timed by the local clock. On time is within the grace of the moment planned for it (`send_at`)
 * or of the last time its local time came: a hold moves only its next attempt, so one held until tomorrow's 18:00
 * keeps today's `send_at` and is on time then. Only a first attempt can be late: a provider's retries (their backoff
 * reaches 40 minutes past 18:00) still deliver that evening's message, and quiet hours keep them out of the night.
 */
export function lateLocalTimeSendAt(
  campaign: CampaignRow,
  m: Pick<CheckedMessage, "deliveryZone" | "sendAt" | "attempts">,
  at: Date,
): Date | null {
  if (m.attempts > 0 || at.getTime() - m.sendAt.getTime() <= LATE_LOCAL_TIME_GRACE_MS) return null;
  const delivery = Delivery.safeParse(campaign.definition).data?.delivery;
  if (delivery?.timing.at !== "local_time") return null;
  const zone = plannedZone(campaign, delivery, m);
  const due = lastLocalTimeSendAt(delivery.timing, delivery.quietHours, zone, at);
  // Its local time fell in quiet hours that still last: it goes at their end, as every message of that time does.
  if (due.getTime() > at.getTime()) return due;
  if (at.getTime() - due.getTime() <= LATE_LOCAL_TIME_GRACE_MS) return null;
  const next = scheduledSendAt(delivery.timing, at, zone, delivery.quietHours).at;
  return next.getTime() > at.getTime() ? next : null;
}

/**
 * The clock planning timed the message on, kept with it (a sale's on its till's zone, 4 p.m. in New York is not
 * night in Warsaw); a message queued before the zone was kept falls back to the tenant's.
 */
function plannedZone(campaign: CampaignRow, delivery: CampaignDelivery, m: Pick<CheckedMessage, "deliveryZone">) {
  const planned = m.deliveryZone;
  return planned && isKnownZone(planned) ? planned : deliveryZone(delivery.zone, { tenant: campaign.timezone });
}
