import { capRefusing, type PreviousSend, queuedStepFate } from "@regulars/campaigns";
import { CampaignStatus, type FrequencyCap } from "@regulars/contracts";
import type { Db } from "@regulars/db";
import type { CheckedMessage } from "./send-facts.ts";

export interface CountedRow {
  id: string;
  tenant_id: string;
  /** The claimed message's customer: a message of someone merged into them is counted as theirs. */
  customer_id: string;
  campaign_id: string | null;
  delivery_zone: string | null;
  channel: "email" | "sms" | "push";
  send_at: Date;
  /** When it went out: a message sent late counts then, not at the `send_at` planned for it. */
  sent_at: Date | null;
  step_key: string | null;
  status: string;
  /** Attempts made: a queued one that failed before goes at its next attempt, not now. */
  attempts: number;
  next_attempt_at: Date;
}

/** The statuses whose queued messages go out when due: a paused campaign's wait, an ended one's never go. */
const runningStatuses = CampaignStatus.options.filter((s) => queuedStepFate(s) === "run");

/**
 * When a message is checked against its caps: when it goes, which is now for one due (or overdue: held while its
 * campaign was paused, retried for hours, behind a backlog), never the `send_at` it was planned for. A queued one
 * of another claim that failed before goes at its next attempt: counted now, it would fill a slot it may never use.
 */
export const sendMoment = (m: Pick<CheckedMessage, "sendAt" | "retryAt">, now: Date): Date =>
  new Date(Math.max(now.getTime(), m.sendAt.getTime(), m.retryAt?.getTime() ?? 0));

/**
 * Every message of the batch's customers that a cap window around the batch's send moments may hold: sent ones by
 * when they went out; queued ones by when they will go (now, when overdue), so of any age, but only while their
 * campaign runs (a paused campaign's messages reserve no slot: resumed, they are checked against what went out
 * meanwhile). Read customer by customer in two parts, each through an index of its own (migration 0036): the sent
 * ones by the moment they went out, within the window; the queued ones, a few per customer at any time, of any age.
 * Read by `send_at` alone, this once took every message a customer was ever sent, for every capped message claimed.
 */
export async function sendsAround(
  db: Db,
  capped: readonly Pick<CheckedMessage, "id" | "tenantId" | "customerId" | "sendAt">[],
  capsOf: ReadonlyMap<string, readonly FrequencyCap[]>,
  now: Date,
): Promise<CountedRow[]> {
  if (!capped.length) return [];
  const windowMs = Math.max(...capped.flatMap((m) => capsOf.get(m.id)!.map((c) => c.windowHours))) * 3_600_000;
  const times = capped.map((m) => sendMoment(m, now).getTime());
  const from = new Date(Math.min(...times) - windowMs);
  const until = new Date(Math.max(...times) + windowMs);
  const customers = new Map(capped.map((m) => [`${m.tenantId} ${m.customerId}`, m]));
  const tenantIds = [...customers.values()].map((m) => m.tenantId);
  const customerIds = [...customers.values()].map((m) => m.customerId);
  // Customer by customer (LATERAL), so that both parts reach only the customer's rows through their index, whatever
  // a broadcast has queued for everyone else. A merge moves no messages: those of everyone merged into the customer
  // (one level finds them all, a merge re-points the merges into its merged customer) went to the same person.
  return db.$queryRaw<CountedRow[]>`
    SELECT counted.id, k.tenant_id, k.customer_id, counted.campaign_id, counted.delivery_zone, counted.channel,
      counted.send_at, counted.sent_at, counted.step_key, counted.status, counted.attempts, counted.next_attempt_at
    FROM unnest(${tenantIds}::text[], ${customerIds}::text[]) AS k(tenant_id, customer_id)
    CROSS JOIN LATERAL (
      SELECT k.customer_id AS id UNION ALL
      SELECT cm.merged_id FROM customer_merges cm WHERE cm.tenant_id = k.tenant_id AND cm.into_id = k.customer_id
    ) person
    CROSS JOIN LATERAL (
      SELECT m.id, m.campaign_id, m.delivery_zone, m.channel, m.send_at, m.sent_at, m.step_key, m.status, m.attempts,
        m.next_attempt_at
      FROM messages m
      WHERE m.tenant_id = k.tenant_id AND m.customer_id = person.id
        AND m.status IN ('sent', 'delivered', 'opened', 'clicked') AND NOT m.transactional
        AND coalesce(m.sent_at, m.send_at) > ${from} AND coalesce(m.sent_at, m.send_at) < ${until}
      UNION ALL
      SELECT m.id, m.campaign_id, m.delivery_zone, m.channel, m.send_at, m.sent_at, m.step_key, m.status, m.attempts,
        m.next_attempt_at
      FROM messages m
      LEFT JOIN campaigns c ON c.id = m.campaign_id
      WHERE m.tenant_id = k.tenant_id AND m.customer_id = person.id
        AND m.status = 'queued' AND NOT m.transactional AND m.send_at < ${until}
        AND (m.campaign_id IS NULL OR c.status = ANY(${runningStatuses}::text[]))
    ) counted`;
}

/**
 * The customer's other messages that count against this one's caps, at the moments they went or will go: sent,
 * or queued to go before it (by planned send time, then id, so the earlier planned of two wins the slot). When a
 * queued one will go is `goesAt`'s (the check's own answer for it): now when due, the end of its quiet hours when
 * they hold it; one the check refuses (no consent, no address, its own caps) or holds without an end will not go
 * and is left out.
 */
export function sendsBefore(
  m: Planned & Pick<CheckedMessage, "customerId">,
  counted: readonly CountedRow[],
  goesAt: ReadonlyMap<string, Date | null>,
): PreviousSend[] {
  return counted.flatMap((r) => {
    if (r.customer_id !== m.customerId || r.id === m.id) return [];
    const key = r.step_key ?? undefined;
    if (r.status !== "queued") return [{ channel: r.channel, at: r.sent_at ?? r.send_at, key }];
    const goes = goesAt.get(r.id);
    return plannedOrder({ id: r.id, sendAt: r.send_at }, m) < 0 && goes ? [{ channel: r.channel, at: goes, key }] : [];
  });
}

type Planned = Pick<CheckedMessage, "id" | "sendAt">;

/** The order in which queued messages take cap slots: by planned send time, then id (the earlier planned wins). */
export const plannedOrder = (a: Planned, b: Planned): number =>
  a.sendAt.getTime() - b.sendAt.getTime() || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

/**
 * What a message's caps leave it at `at`: `free`; `capped` when messages already sent use them up, so it never goes;
 * `waiting` when queued ones planned before it fill the slot, until the earliest of them goes: one may yet fail for
 * good (retried until its attempts are spent) and leave the slot to it, so it is held, not cancelled.
 */
export function capSlot(
  m: Planned & Pick<CheckedMessage, "customerId" | "channel">,
  caps: readonly FrequencyCap[],
  counted: readonly CountedRow[],
  goesAt: ReadonlyMap<string, Date | null>,
  at: Date,
): { slot: "free" } | { slot: "capped" } | { slot: "waiting"; until: Date } {
  if (!caps.length || !capRefusing(caps, sendsBefore(m, counted, goesAt), at, m.channel)) return { slot: "free" };
  const sent = counted.filter((r) => r.status !== "queued");
  if (capRefusing(caps, sendsBefore(m, sent, goesAt), at, m.channel)) return { slot: "capped" };
  const queued = sendsBefore(
    m,
    counted.filter((r) => r.status === "queued"),
    goesAt,
  );
  return { slot: "waiting", until: new Date(Math.min(...queued.map((s) => s.at.getTime()))) };
}
