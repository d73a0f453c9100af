import { messageRefusal, queuedStepFate, type SkipReason } from "@regulars/campaigns";
import { CampaignStatus, FrequencyCap } from "@regulars/contracts";
import type { Db } from "@regulars/db";
import type { OutgoingMessage, PushDevice } from "@regulars/messaging";
import { z } from "zod";
import { type CountedRow, capSlot, plannedOrder, sendMoment, sendsAround } from "./cap-counts.ts";
import type { ClaimedMessage } from "./claim.ts";
import {
  addressNow,
  type CheckedMessage,
  lateLocalTimeSendAt,
  personOf,
  quietHoursEnd,
  type RecipientRow,
  type SendFacts,
  sendFacts,
} from "./send-facts.ts";

/** What to do with a claimed message right before it would go to the provider. */
export type SendDecision =
  | { action: "send"; message: OutgoingMessage }
  /** It will never go: the customer withdrew consent, has no address any more, the caps are used up, or it expired. */
  | { action: "cancel"; code: CancelCode; reason: string }
  /**
   * It waits, neither sent nor given up: its campaign is paused (looked at again after the sender's hold), it would
   * reach the customer in the campaign's quiet hours (held `until` they end), its local time passed while it waited
   * (held `until` the next one), or a queued message planned before it fills its cap's slot (held `until` that one
   * goes, or for the sender's hold when it goes now): cancelled only once a sent message fills it.
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

const Caps = z.object({ limits: z.object({ frequencyCaps: z.array(FrequencyCap).default([]) }).optional() });

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
 * cannot both go never cancel each other; a queued one counts only as this check would decide it, so one that
 * cannot go (consent withdrawn, no address, its campaign paused, its own caps used up) takes no slot, one its
 * quiet hours hold takes the slot at their end, in this claim or not, and one that failed before at its next
 * attempt. Only sent messages cancel it: while queued ones fill the slot it waits for them, as one may yet fail for
 * good. Caps and quiet hours are asked at the moment it would go out, not at the `send_at` planned for it: one sent
 * late (its campaign paused, retried for hours, behind a backlog) is counted against the messages sent around that
 * moment, by when they went out, waits for the morning rather than arrive at night, and one timed for a local time
 * ("18:00") waits for the next one. Every message needs the channel's consent in force (no message is ever sent
 * without it, a campaign's deleted or not); caps, quiet hours and a campaign's status apply to campaigns' messages.
 * The address is the customer's now. A transactional message (a till's code, asked for by the customer at that
 * moment) needs no consent and passes no cap or quiet hours: it goes to the address it was queued for unless it
 * expired or the customer was erased.
 */
export async function decideSend(db: Db, claimed: ClaimedMessage, opts: SendCheckOptions = {}): Promise<SendDecision> {
  return (await decideSends(db, [claimed], opts))[0]!;
}

/**
 * What the check decides before caps: the decision, or the address and caps of a message that may go now. One its
 * quiet hours hold keeps its caps: it takes a slot at their end only if they allow it then.
 */
type BeforeCaps = { decision: SendDecision; caps?: FrequencyCap[] } | { to: string | PushDevice; caps: FrequencyCap[] };

/**
 * `decideSend` for a sender's whole claim with one statement per kind of fact (recipients, campaigns, consents,
 * the messages that count against caps, `whenEachGoes`), whatever the claim's size: the per-message rules are the
 * same.
 */
export async function decideSends(
  db: Db,
  claimed: readonly ClaimedMessage[],
  opts: SendCheckOptions = {},
): Promise<SendDecision[]> {
  const facts = await sendFacts(db, claimed);
  const tenantCaps = new Map<string, readonly FrequencyCap[]>();
  for (const tenantId of new Set(claimed.filter((m) => m.campaignId).map((m) => m.tenantId)))
    tenantCaps.set(tenantId, (await opts.tenantCaps?.(tenantId)) ?? []);
  const now = opts.now ?? new Date();

  // Everything but caps first: a message that will not go now takes no slot from one that will.
  const before = new Map(
    claimed.map((m) => [
      m.id,
      m.transactional
        ? { decision: transactionalDecision(m, facts.recipients.get(m.customerId ?? ""), now) }
        : beforeCaps(m, facts, tenantCaps, now),
    ]),
  );
  const { goesAt, waitsFor } = await whenEachGoes(db, claimed, before, { facts, tenantCaps, now });

  return claimed.map((m): SendDecision => {
    const b = before.get(m.id)!;
    if ("decision" in b) return b.decision;
    if (goesAt.get(m.id)) return { action: "send", message: outgoing(m, personOf(facts, m.customerId!), b.to) };
    const until = waitsFor.get(m.id);
    if (!until) return cancel("capped");
    return until > now ? { action: "hold", until } : { action: "hold" };
  });
}

interface CheckContext {
  facts: SendFacts;
  tenantCaps: ReadonlyMap<string, readonly FrequencyCap[]>;
  now: Date;
}

/** A queued message with what the check decided for it before caps. */
type Checked = { m: CheckedMessage; b: BeforeCaps };

/**
 * When each message of the claim and each queued one a cap counts will go (null: never), by the same rules: one
 * the check refuses or holds with no end takes no slot, one its quiet hours hold takes the slot at their end. They
 * are decided in planned order (`send_at`, then id), each against its own caps (its campaign's and the tenant's)
 * with what was sent and the earlier planned that go, so one its caps refuse takes no slot from the next either;
 * `waitsFor` has when the earliest queued one that keeps a message out goes, for one only queued ones keep out.
 * The queued ones of other claims (a sender's other channel, one not due yet) are decided here as their own claim
 * will decide them, so a claim decides alike alone or together with them. Two statements at most read the sends:
 * around the claim's messages, and once more, further back, when a queued one's or a held one's cap is longer.
 */
async function whenEachGoes(
  db: Db,
  claimed: readonly ClaimedMessage[],
  before: ReadonlyMap<string, BeforeCaps>,
  { facts, tenantCaps, now }: CheckContext,
): Promise<{ goesAt: Map<string, Date | null>; waitsFor: Map<string, Date> }> {
  const capsOf = new Map<string, FrequencyCap[]>();
  for (const [id, b] of before) if ("to" in b && b.caps.length) capsOf.set(id, b.caps);
  // Caps count per person: a merged-away customer's message against what its survivor was sent, and the other way.
  const byPerson = claimed.map((m) => (m.customerId ? { ...m, customerId: personOf(facts, m.customerId) } : m));
  const capped = byPerson.filter((m) => capsOf.has(m.id));
  const counted = await sendsAround(db, capped, capsOf, now);
  const others = queuedOthers(counted, byPerson, before);
  const all = others.length ? await sendFacts(db, others, facts) : facts;
  const checks: Checked[] = [
    ...byPerson.map((m) => ({ m, b: before.get(m.id)! })),
    ...others.map((m) => ({ m, b: beforeCaps(m, all, tenantCaps, now) })),
  ].sort((x, y) => plannedOrder(x.m, y.m));

  // A cap longer than every capped claimed message's reaches sends the first read left out: read them for it.
  const readHours = Math.max(0, ...[...capsOf.values()].flat().map((c) => c.windowHours));
  const persons = new Set(capped.map((m) => m.customerId));
  const longer = checks.filter(
    ({ m, b }) => !capsOf.has(m.id) && persons.has(m.customerId) && b.caps?.some((c) => c.windowHours > readHours),
  );
  const wider = await sendsAround(
    db,
    longer.map(({ m }) => m),
    new Map(longer.map(({ m, b }) => [m.id, b.caps!])),
    now,
  );
  const read = new Set(counted.map((r) => r.id));
  const rows = [...counted, ...wider.filter((r) => !read.has(r.id))];

  // Each is recorded before a later one reads it (`sendsBefore` counts only the earlier planned). One that waits for
  // a queued one takes no slot either: it goes only if that one does not.
  const goesAt = new Map<string, Date | null>();
  const waitsFor = new Map<string, Date>();
  for (const { m, b } of checks) {
    const at = "to" in b ? sendMoment(m, now) : b.decision.action === "hold" ? (b.decision.until ?? null) : null;
    const slot = at ? capSlot(m, b.caps ?? [], rows, goesAt, at) : null;
    goesAt.set(m.id, slot?.slot === "free" ? at : null);
    if (slot?.slot === "waiting") waitsFor.set(m.id, slot.until);
  }
  return { goesAt, waitsFor };
}

/**
 * The queued messages a cap counts that are not of this claim: only those planned before a claimed message of
 * their customer (`sendsBefore` counts no other queued one). Their customer's consents and address are read as for
 * the claimed message they are counted for (the same person, merged customers included).
 */
function queuedOthers(
  counted: readonly CountedRow[],
  claimed: readonly ClaimedMessage[],
  before: ReadonlyMap<string, BeforeCaps>,
): CheckedMessage[] {
  const latest = new Map<string, number>();
  for (const m of claimed)
    if (m.customerId) latest.set(m.customerId, Math.max(latest.get(m.customerId) ?? 0, m.sendAt.getTime()));
  return counted
    .filter(
      (r) => r.status === "queued" && !before.has(r.id) && r.send_at.getTime() <= (latest.get(r.customer_id) ?? 0),
    )
    .map((r) => ({
      id: r.id,
      tenantId: r.tenant_id,
      customerId: r.customer_id,
      campaignId: r.campaign_id,
      channel: r.channel,
      sendAt: r.send_at,
      attempts: r.attempts,
      transactional: false,
      deliveryZone: r.delivery_zone,
      // Another claim's: one that failed before goes at its next attempt, whatever its `send_at`.
      retryAt: r.attempts > 0 ? r.next_attempt_at : undefined,
    }));
}

/**
 * The check of one message up to its caps: the campaign's status, then consent and address (one the customer
 * cannot or may not receive is cancelled now, in quiet hours too), then its local time and quiet hours.
 * Transactional messages are `transactionalDecision`'s.
 */
function beforeCaps(
  m: CheckedMessage,
  facts: SendFacts,
  tenantCaps: ReadonlyMap<string, readonly FrequencyCap[]>,
  now: Date,
): BeforeCaps {
  if (!m.customerId) return { decision: cancel("no_address") };
  const recipient = facts.recipients.get(m.customerId);
  const campaign = m.campaignId ? facts.campaigns.get(m.campaignId) : undefined;
  if (m.campaignId) {
    const status = CampaignStatus.safeParse(campaign?.tenant_id === m.tenantId ? campaign?.status : undefined);
    const fate = status.success ? queuedStepFate(status.data) : "cancel";
    if (fate === "cancel") return { decision: cancel("cancelled") };
    if (fate === "hold") return { decision: { action: "hold" } };
  }
  const ours = recipient && recipient.tenant_id === m.tenantId && !recipient.erased_at;
  const to = ours ? addressNow(m.channel, recipient) : null;
  const reachable = { email: false, sms: false, push: false, [m.channel]: to !== null };
  const purposes = facts.purposes.get(m.id) ?? ["marketing"];
  const consents = facts.consents.get(m.customerId) ?? [];
  const refusal = messageRefusal(m.channel, purposes, { consents, reachable }, [], [], sendMoment(m, now));
  if (refusal) return { decision: cancel(refusal) };
  if (!to) return { decision: cancel("no_address") };
  if (!campaign) return { to, caps: [] };
  const campaignCaps = Caps.safeParse(campaign.definition).data?.limits?.frequencyCaps ?? [];
  const caps = [...campaignCaps, ...(tenantCaps.get(m.tenantId) ?? [])];
  const at = sendMoment(m, now);
  // A late local-time message waits for its next local time, which `lateSendAt` puts outside quiet hours already.
  const heldUntil = lateLocalTimeSendAt(campaign, m, at) ?? quietHoursEnd(campaign, m, at);
  if (heldUntil) return { decision: { action: "hold", until: heldUntil }, caps };
  return { to, caps };
}

function transactionalDecision(m: ClaimedMessage, recipient: RecipientRow | undefined, now: Date): SendDecision {
  if (!m.customerId) return cancel("no_address");
  if (!m.expiresAt || m.expiresAt <= now) return cancel("expired");
  if (!recipient || recipient.tenant_id !== m.tenantId || recipient.erased_at) return cancel("no_address");
  return { action: "send", message: outgoing(m, recipient.person_id, m.toAddress) };
}

function outgoing(claimed: ClaimedMessage, customerId: string, to: string | PushDevice): OutgoingMessage {
  const envelope = { id: claimed.id, tenantId: claimed.tenantId, customerId };
  return { ...claimed.content, ...envelope, to } as OutgoingMessage;
}

/** How a recipient is written in `to_address`: a push device as `platform:token`. */
export const addressText = (message: OutgoingMessage): string =>
  message.channel === "push" ? `${message.to.platform}:${message.to.token}` : message.to;
