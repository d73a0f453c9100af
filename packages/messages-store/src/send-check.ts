import {
  afterQuietHours,
  type ConsentChoice,
  deliveryZone,
  isKnownZone,
  messageRefusal,
  queuedStepFate,
  type SkipReason,
} from "@regulars/campaigns";
import { CampaignDelivery, CampaignStatus, FrequencyCap } from "@regulars/contracts";
import { consentInForceOrder } from "@regulars/customers-store";
import type { Db } from "@regulars/db";
import type { OutgoingMessage, PushDevice } from "@regulars/messaging";
import { z } from "zod";
import { sendMoment, sendsAround, sendsBefore } from "./cap-counts.ts";
import type { ClaimedMessage } from "./claim.ts";
import { consentPurposesOf } from "./send-purposes.ts";

/** What to do with a claimed message right before it would go to the provider. */
export type SendDecision =
  | { action: "send"; message: OutgoingMessage }
  /** It will never go: the customer withdrew consent, has no address any more, the caps are used up, or it expired. */
  | { action: "cancel"; code: CancelCode; reason: string }
  /**
   * It waits, neither sent nor given up: its campaign is paused (looked at again after the sender's hold), or it
   * would reach the customer in the campaign's quiet hours (held `until` they end).
   */
  | { action: "hold"; until?: Date };

type CancelCode = SkipReason | "cancelled" | "expired";

export interface SendCheckOptions {
  /**
   * The time of the check (now when absent): a transactional message past its expiry is cancelled, and a campaign's
   * message is checked against its caps and quiet hours at the moment it would go, this one for an overdue message.
   */
  now?: Date;
  /** The tenant's own caps, which hold for every campaign beside the campaign's. */
  tenantCaps?: (tenantId: string) => Promise<readonly FrequencyCap[]>;
}

interface RecipientRow {
  email: string | null;
  phone: string | null;
  erased_at: Date | null;
  push_platform: string | null;
  push_token: string | null;
}

const Caps = z.object({ limits: z.object({ frequencyCaps: z.array(FrequencyCap).default([]) }).optional() });
const Delivery = z.object({ delivery: CampaignDelivery.optional() });

interface CampaignRow {
  id: string;
  tenant_id: string;
  status: string;
  definition: unknown;
  timezone: string;
}

const reasons: Record<CancelCode, string> = {
  expired: "it expired before it could be sent (a one-time code is worthless late)",
  no_consent: "the customer's consent for the channel is not in force any more",
  no_profiling_consent:
    "the campaign chooses its audience from purchases and behaviour, and the customer's consent to profiling on " +
    "the channel is not in force",
  no_address: "the customer has no address on the channel any more",
  capped: "the frequency caps were used by other messages since it was queued",
  cancelled: "the campaign was ended before the message went out",
  campaign_inactive: "the campaign is not active",
  not_in_audience: "the customer is not in the campaign's audience",
  already_received: "the customer already received the campaign",
  too_soon: "too soon after the customer's last occurrence",
  control_group: "the customer is in the control group",
};
const cancel = (code: CancelCode): SendDecision => ({ action: "cancel", code, reason: reasons[code] });

/**
 * Asks again, right before sending, what planning asked: the customer may have withdrawn consent, lost the
 * address, or other campaigns may have used the caps since this message was queued. Earlier messages win a cap:
 * a message counts what was sent and what is queued before it (by `send_at`, then id), so two messages that
 * cannot both go never cancel each other. Caps and quiet hours are asked at the moment it would go out, not at the
 * `send_at` planned for it: one sent late (its campaign paused, retried for hours, behind a backlog) is counted
 * against the messages sent around that moment, by when they went out, and waits for the morning rather than
 * arrive at night. Every message needs the channel's consent in force (no message is ever sent without it, a
 * campaign's deleted or not); caps, quiet hours and a campaign's status apply to campaigns' messages. The address
 * is the customer's now. A transactional message (a till's code, asked for by the customer at that moment) needs no
 * consent and passes no cap or quiet hours: it goes to the address it was queued for unless it expired or the
 * customer was erased.
 */
export async function decideSend(db: Db, claimed: ClaimedMessage, opts: SendCheckOptions = {}): Promise<SendDecision> {
  return (await decideSends(db, [claimed], opts))[0]!;
}

interface BatchRecipientRow extends RecipientRow {
  id: string;
  tenant_id: string;
}

/**
 * `decideSend` for a sender's whole claim with one statement per kind of fact (recipients, campaigns, consents,
 * the messages that count against caps), whatever the claim's size: the per-message rules are the same.
 */
export async function decideSends(
  db: Db,
  claimed: readonly ClaimedMessage[],
  opts: SendCheckOptions = {},
): Promise<SendDecision[]> {
  const customerIds = [...new Set(claimed.flatMap((m) => (m.customerId ? [m.customerId] : [])))];
  const campaignIds = [...new Set(claimed.flatMap((m) => (m.campaignId ? [m.campaignId] : [])))];
  const [recipients, campaigns, consents, purposes] = await Promise.all([
    customerIds.length
      ? db.$queryRaw<BatchRecipientRow[]>`
          SELECT c.id, c.tenant_id, c.email, c.phone, c.erased_at, t.platform AS push_platform, t.token AS push_token
          FROM customers c
          LEFT JOIN LATERAL (
            SELECT platform, token FROM customer_push_tokens
            WHERE tenant_id = c.tenant_id AND customer_id = c.id ORDER BY updated_at DESC, device_id LIMIT 1
          ) t ON true
          WHERE c.id = ANY(${customerIds}::text[])`
      : [],
    campaignIds.length
      ? db.$queryRaw<CampaignRow[]>`
          SELECT c.id, c.tenant_id, c.status, v.definition, t.timezone FROM campaigns c
          JOIN tenants t ON t.id = c.tenant_id
          LEFT JOIN campaign_versions v ON v.campaign_id = c.id AND v.version = c.version
          WHERE c.id = ANY(${campaignIds}::text[])`
      : [],
    currentConsentsOf(db, claimed),
    consentPurposesOf(db, claimed),
  ]);
  const recipientOf = new Map(recipients.map((r) => [r.id, r]));
  const campaignOf = new Map(campaigns.map((c) => [c.id, c]));
  const tenantCaps = new Map<string, readonly FrequencyCap[]>();
  for (const tenantId of new Set(claimed.filter((m) => m.campaignId).map((m) => m.tenantId)))
    tenantCaps.set(tenantId, (await opts.tenantCaps?.(tenantId)) ?? []);

  // Caps first: what each message may send decides which messages count against which.
  const capsOf = new Map<string, FrequencyCap[]>();
  const decided = new Map<string, SendDecision>();
  const now = opts.now ?? new Date();
  for (const m of claimed) {
    if (!m.customerId) {
      decided.set(m.id, cancel("no_address"));
      continue;
    }
    if (m.transactional) {
      decided.set(m.id, transactionalDecision(m, m.customerId, recipientOf.get(m.customerId), now));
      continue;
    }
    if (!m.campaignId) continue;
    const campaign = campaignOf.get(m.campaignId);
    const status = CampaignStatus.safeParse(campaign?.tenant_id === m.tenantId ? campaign?.status : undefined);
    const fate = status.success ? queuedStepFate(status.data) : "cancel";
    const quietUntil = fate === "run" && campaign ? quietHoursEnd(campaign, m, sendMoment(m, now)) : null;
    if (fate === "cancel") decided.set(m.id, cancel("cancelled"));
    else if (fate === "hold") decided.set(m.id, { action: "hold" });
    else if (quietUntil) decided.set(m.id, { action: "hold", until: quietUntil });
    else
      capsOf.set(m.id, [
        ...(Caps.safeParse(campaign?.definition).data?.limits?.frequencyCaps ?? []),
        ...(tenantCaps.get(m.tenantId) ?? []),
      ]);
  }
  const counted = await sendsAround(
    db,
    claimed.filter((m) => (capsOf.get(m.id)?.length ?? 0) > 0),
    capsOf,
    now,
  );

  return claimed.map((m) => {
    const early = decided.get(m.id);
    if (early) return early;
    const customerId = m.customerId!;
    const recipient = recipientOf.get(customerId);
    const ours = recipient && recipient.tenant_id === m.tenantId && !recipient.erased_at;
    const to = ours ? addressNow(m.channel, recipient) : null;
    const caps = capsOf.get(m.id) ?? [];
    const reachable = { email: false, sms: false, push: false, [m.channel]: to !== null };
    const refusal = messageRefusal(
      m.channel,
      purposes.get(m.id) ?? ["marketing"],
      { consents: consents.get(customerId) ?? [], reachable },
      caps,
      caps.length ? sendsBefore(m, counted, now) : [],
      sendMoment(m, now),
    );
    if (refusal) return cancel(refusal);
    if (!to) return cancel("no_address");
    return { action: "send", message: outgoing(m, customerId, to) };
  });
}

/**
 * When the quiet hours a message would reach the customer in end, or null outside them. Planning put its `send_at`
 * outside them; one sent late (its campaign paused at 17:55 and resumed at 23:00) would arrive at night without
 * this. Read on the clock planning used, kept with the message (a sale's on its till's zone, 4 p.m. in New York is
 * not night in Warsaw); a message queued before the zone was kept falls back to the tenant's.
 */
function quietHoursEnd(campaign: CampaignRow, m: ClaimedMessage, at: Date): Date | null {
  const delivery = Delivery.safeParse(campaign.definition).data?.delivery;
  if (!delivery?.quietHours) return null;
  const planned = m.deliveryZone;
  const zone = planned && isKnownZone(planned) ? planned : deliveryZone(delivery.zone, { tenant: campaign.timezone });
  const end = afterQuietHours(at, delivery.quietHours, zone);
  return end.getTime() > at.getTime() ? end : null;
}

function transactionalDecision(
  m: ClaimedMessage,
  customerId: string,
  recipient: BatchRecipientRow | undefined,
  now: Date,
): SendDecision {
  if (!m.expiresAt || m.expiresAt <= now) return cancel("expired");
  if (!recipient || recipient.tenant_id !== m.tenantId || recipient.erased_at) return cancel("no_address");
  return { action: "send", message: outgoing(m, customerId, m.toAddress) };
}

/** The consents in force of many customers, by customer (`currentConsents` of each, in one statement). */
async function currentConsentsOf(db: Db, claimed: readonly ClaimedMessage[]) {
  const out = new Map<string, ConsentChoice[]>();
  const pairs = [...new Set(claimed.flatMap((m) => (m.customerId ? [`${m.tenantId} ${m.customerId}`] : [])))];
  if (!pairs.length) return out;
  const rows = await db.$queryRaw<
    { customer_id: string; channel: string; purpose: string; granted: boolean; occurred_at: Date }[]
  >`
    SELECT DISTINCT ON (customer_id, channel, purpose) customer_id, channel, purpose, granted, occurred_at
    FROM customer_consents
    WHERE (tenant_id, customer_id) IN (
      SELECT split_part(p, ' ', 1), split_part(p, ' ', 2) FROM unnest(${pairs}::text[]) AS p)
    ORDER BY customer_id, channel, purpose, ${consentInForceOrder}`;
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
  return out;
}

function addressNow(channel: ClaimedMessage["channel"], r: RecipientRow): string | PushDevice | null {
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

function outgoing(claimed: ClaimedMessage, customerId: string, to: string | PushDevice): OutgoingMessage {
  const envelope = { id: claimed.id, tenantId: claimed.tenantId, customerId };
  return { ...claimed.content, ...envelope, to } as OutgoingMessage;
}

/** How a recipient is written in `to_address`: a push device as `platform:token`. */
export const addressText = (message: OutgoingMessage): string =>
  message.channel === "push" ? `${message.to.platform}:${message.to.token}` : message.to;
