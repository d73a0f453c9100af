import { messageRefusal, queuedStepFate, type SkipReason } from "@regulars/campaigns";
import { CampaignStatus, FrequencyCap } from "@regulars/contracts";
import { currentConsents } from "@regulars/customers-store";
import type { Db } from "@regulars/db";
import type { OutgoingMessage, PushDevice } from "@regulars/messaging";
import { z } from "zod";
import type { ClaimedMessage } from "./claim.ts";

/** What to do with a claimed message right before it would go to the provider. */
export type SendDecision =
  | { action: "send"; message: OutgoingMessage }
  /** It will never go: the customer withdrew consent, has no address any more, or the caps are used up. */
  | { action: "cancel"; code: SkipReason | "cancelled"; reason: string }
  /** Its campaign is paused: it waits, neither sent nor given up. */
  | { action: "hold" };

export interface SendCheckOptions {
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

const reasons: Record<SkipReason | "cancelled", string> = {
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
const cancel = (code: SkipReason | "cancelled"): SendDecision => ({ action: "cancel", code, reason: reasons[code] });

/**
 * Asks again, right before sending, what planning asked: the customer may have withdrawn consent, lost the
 * address, or other campaigns may have used the caps since this message was queued. Earlier messages win a cap:
 * a message counts what was sent and what is queued before it (by `send_at`, then id), so two messages that
 * cannot both go never cancel each other. Every message needs the channel's consent in force (no message is ever
 * sent without it, a campaign's deleted or not); caps and a campaign's status apply to campaigns' messages. The
 * address is the customer's now.
 */
export async function decideSend(db: Db, claimed: ClaimedMessage, opts: SendCheckOptions = {}): Promise<SendDecision> {
  if (!claimed.customerId) return cancel("no_address");
  const customerId = claimed.customerId;
  const [recipient] = await db.$queryRaw<RecipientRow[]>`
    SELECT c.email, c.phone, c.erased_at, t.platform AS push_platform, t.token AS push_token
    FROM customers c
    LEFT JOIN LATERAL (
      SELECT platform, token FROM customer_push_tokens
      WHERE tenant_id = c.tenant_id AND customer_id = c.id ORDER BY updated_at DESC, device_id LIMIT 1
    ) t ON true
    WHERE c.tenant_id = ${claimed.tenantId} AND c.id = ${customerId}`;
  const to = recipient && !recipient.erased_at ? addressNow(claimed.channel, recipient) : null;

  let caps: FrequencyCap[] = [];
  if (claimed.campaignId) {
    const [campaign] = await db.$queryRaw<{ status: string; definition: unknown }[]>`
      SELECT c.status, v.definition FROM campaigns c
      LEFT JOIN campaign_versions v ON v.campaign_id = c.id AND v.version = c.version
      WHERE c.id = ${claimed.campaignId} AND c.tenant_id = ${claimed.tenantId}`;
    const status = CampaignStatus.safeParse(campaign?.status);
    const fate = status.success ? queuedStepFate(status.data) : "cancel";
    if (fate === "cancel") return cancel("cancelled");
    if (fate === "hold") return { action: "hold" };
    caps = [
      ...(Caps.safeParse(campaign?.definition).data?.limits?.frequencyCaps ?? []),
      ...((await opts.tenantCaps?.(claimed.tenantId)) ?? []),
    ];
  }
  const [consents, previousSends] = await Promise.all([
    currentConsents(db, claimed.tenantId, customerId),
    caps.length ? sendsBefore(db, claimed, customerId, caps) : Promise.resolve([]),
  ]);
  const reachable = { email: false, sms: false, push: false, [claimed.channel]: to !== null };
  const refusal = messageRefusal(claimed.channel, { consents, reachable }, caps, previousSends, claimed.sendAt);
  if (refusal) return cancel(refusal);
  if (!to) return cancel("no_address");
  return { action: "send", message: outgoing(claimed, customerId, to) };
}

/** The customer's other messages that count against this one's caps: sent, or queued to go before it. */
async function sendsBefore(db: Db, claimed: ClaimedMessage, customerId: string, caps: readonly FrequencyCap[]) {
  const windowMs = Math.max(...caps.map((c) => c.windowHours)) * 3_600_000;
  const rows = await db.$queryRaw<{ channel: "email" | "sms" | "push"; send_at: Date; step_key: string | null }[]>`
    SELECT channel, send_at, step_key FROM messages
    WHERE tenant_id = ${claimed.tenantId} AND customer_id = ${customerId} AND id <> ${claimed.id}
      AND send_at > ${new Date(claimed.sendAt.getTime() - windowMs)}
      AND send_at < ${new Date(claimed.sendAt.getTime() + windowMs)}
      AND (status IN ('sent', 'delivered', 'opened', 'clicked')
           OR (status = 'queued' AND (send_at, id) < (${claimed.sendAt}::timestamptz, ${claimed.id})))`;
  return rows.map((r) => ({ channel: r.channel, at: r.send_at, key: r.step_key ?? undefined }));
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
