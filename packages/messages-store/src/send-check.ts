import { type ConsentChoice, messageRefusal, queuedStepFate, type SkipReason } from "@regulars/campaigns";
import { CampaignStatus, FrequencyCap } from "@regulars/contracts";
import type { Db } from "@regulars/db";
import type { OutgoingMessage, PushDevice } from "@regulars/messaging";
import { z } from "zod";
import type { ClaimedMessage } from "./claim.ts";

/** What to do with a claimed message right before it would go to the provider. */
export type SendDecision =
  | { action: "send"; message: OutgoingMessage }
  /** It will never go: the customer withdrew consent, has no address any more, the caps are used up, or it expired. */
  | { action: "cancel"; code: CancelCode; reason: string }
  /** Its campaign is paused: it waits, neither sent nor given up. */
  | { action: "hold" };

type CancelCode = SkipReason | "cancelled" | "expired";

export interface SendCheckOptions {
  /** The time of the check: a transactional message past its expiry is cancelled (now when absent). */
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

const reasons: Record<CancelCode, string> = {
  expired: "it expired before it could be sent (a one-time code is worthless late)",
  no_consent: "the customer's consent for the channel is not in force any more",
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
 * cannot both go never cancel each other. Every message needs the channel's consent in force (no message is ever
 * sent without it, a campaign's deleted or not); caps and a campaign's status apply to campaigns' messages. The
 * address is the customer's now. A transactional message (a till's code, asked for by the customer at that moment)
 * needs no consent and passes no cap: it goes to the address it was queued for unless it expired or the customer
 * was erased.
 */
export async function decideSend(db: Db, claimed: ClaimedMessage, opts: SendCheckOptions = {}): Promise<SendDecision> {
  return (await decideSends(db, [claimed], opts))[0]!;
}

interface BatchRecipientRow extends RecipientRow {
  id: string;
  tenant_id: string;
}

interface CountedRow {
  id: string;
  customer_id: string;
  channel: "email" | "sms" | "push";
  send_at: Date;
  step_key: string | null;
  status: string;
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
  const [recipients, campaigns, consents] = await Promise.all([
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
      ? db.$queryRaw<{ id: string; tenant_id: string; status: string; definition: unknown }[]>`
          SELECT c.id, c.tenant_id, c.status, v.definition FROM campaigns c
          LEFT JOIN campaign_versions v ON v.campaign_id = c.id AND v.version = c.version
          WHERE c.id = ANY(${campaignIds}::text[])`
      : [],
    currentConsentsOf(db, claimed),
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
    if (fate === "cancel") decided.set(m.id, cancel("cancelled"));
    else if (fate === "hold") decided.set(m.id, { action: "hold" });
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
      { consents: consents.get(customerId) ?? [], reachable },
      caps,
      caps.length ? sendsBefore(m, counted) : [],
      m.sendAt,
    );
    if (refusal) return cancel(refusal);
    if (!to) return cancel("no_address");
    return { action: "send", message: outgoing(m, customerId, to) };
  });
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
    ORDER BY customer_id, channel, purpose, occurred_at DESC, recorded_at DESC, id DESC`;
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

/** Every message of the batch's customers inside the widest cap window around the batch's send times. */
async function sendsAround(db: Db, capped: ClaimedMessage[], capsOf: Map<string, FrequencyCap[]>) {
  if (!capped.length) return [];
  const windowMs = Math.max(...capped.flatMap((m) => capsOf.get(m.id)!.map((c) => c.windowHours))) * 3_600_000;
  const times = capped.map((m) => m.sendAt.getTime());
  const pairs = [...new Set(capped.map((m) => `${m.tenantId} ${m.customerId}`))];
  return db.$queryRaw<CountedRow[]>`
    SELECT id, customer_id, channel, send_at, step_key, status FROM messages
    WHERE (tenant_id, customer_id) IN (
        SELECT split_part(p, ' ', 1), split_part(p, ' ', 2) FROM unnest(${pairs}::text[]) AS p)
      AND send_at > ${new Date(Math.min(...times) - windowMs)} AND send_at < ${new Date(Math.max(...times) + windowMs)}
      AND status IN ('queued', 'sent', 'delivered', 'opened', 'clicked') AND NOT transactional`;
}

/**
 * The customer's other messages that count against this one's caps: sent, or queued to go before it (by send
 * time, then id); each cap counts those inside its own window.
 */
function sendsBefore(m: ClaimedMessage, counted: readonly CountedRow[]) {
  const at = m.sendAt.getTime();
  return counted
    .filter(
      (r) =>
        r.customer_id === m.customerId &&
        r.id !== m.id &&
        (r.status !== "queued" || r.send_at.getTime() < at || (r.send_at.getTime() === at && r.id < m.id)),
    )
    .map((r) => ({ channel: r.channel, at: r.send_at, key: r.step_key ?? undefined }));
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
