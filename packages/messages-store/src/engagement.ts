import type { MessageClicked, MessageDelivered, MessageFailed, MessageOpened, MessageSent } from "@regulars/contracts";
import { type Db, withTransaction } from "@regulars/db";
import type { OutboxItem } from "@regulars/ledger-store";
import { type Channel, DeliveryStatus, laterStatus, redactPersonalData, siteOfLink } from "@regulars/messaging";
import { announceMessageEvents, linkKey, type MessageEvent, type MessageRef, messageEvent } from "./events.ts";
import { spentContent } from "./transactional.ts";

interface MessageRow {
  id: string;
  tenant_id: string;
  customer_id: string | null;
  campaign_id: string | null;
  channel: Channel;
  status: string;
  provider: string | null;
  attempts: number;
  sent_at: Date | null;
  delivered_at: Date | null;
  failed_at: Date | null;
  announced_engagements: string[];
  text_cleared: boolean;
}

/** The message as a report's event names it; `textCleared` once retention cleared its address and text. */
type ReportedMessage = MessageRef & { provider: string | null; textCleared: boolean };

export type Engagement = { kind: "click"; url: string } | { kind: "open" };

export interface Reported {
  /** The message's status after the report. */
  status: string;
  outbox: OutboxItem[];
}

interface ReportOptions {
  tenantId?: string | undefined;
  failureCode?: string;
  /** An open's or a click's entry in `announced_engagements`: `opened`, `clicked:<link key>`. */
  engagement?: string;
}

/** Whether this report is the first of its kind, the only one announced (the row is locked: two at once queue). */
function firstReport(row: MessageRow, next: "delivered" | "failed" | "opened" | "clicked", engagement?: string) {
  if (next === "delivered") return row.delivered_at === null;
  // Set by the sender's failure and cancellation too, which announced `message.failed` themselves.
  if (next === "failed") return row.failed_at === null;
  return engagement !== undefined && !row.announced_engagements.includes(engagement);
}

/**
 * Whether the report is the first news that a message still queued went out: an attempt the sender took for a
 * failure (a timeout) had reached the provider, which now reports on it. Its retry will never be claimed (it is not
 * queued any more), so the report records what `recordSent` would have: the time, the spent content, `message.sent`.
 */
const unannouncedSend = (row: MessageRow): row is MessageRow & { provider: string } =>
  row.status === "queued" && row.sent_at === null && row.provider !== null && row.attempts > 0;

/**
 * What came back about a message after it left: the customer opened it or followed a link (the tracker), or the
 * provider reported it delivered or failed (a receipt). The status moves by `laterStatus` only (reports arrive out
 * of order; an open outranks a late bounce), the first time of each is kept, and only the first of each is announced
 * (one `message.clicked` per message and link), so a reload, a prefetch or a repeated receipt records nothing new,
 * weeks later too: the row remembers what was announced, where the outbox keeps an event's id only for a week.
 * A cancelled message stays cancelled. Null when there is no such message.
 */
async function report(
  db: Db,
  messageId: string,
  next: "delivered" | "failed" | "opened" | "clicked",
  now: Date,
  event: (message: ReportedMessage) => MessageEvent,
  { tenantId, failureCode, engagement }: ReportOptions = {},
): Promise<Reported | null> {
  return withTransaction(db, async (tx) => {
    const [row] = await tx.$queryRaw<MessageRow[]>`
      SELECT id, tenant_id, customer_id, campaign_id, channel, status, provider, attempts, sent_at, delivered_at,
        failed_at, announced_engagements, to_address = '' AS text_cleared
      FROM messages
      WHERE id = ${messageId} AND (${tenantId ?? null}::text IS NULL OR tenant_id = ${tenantId ?? null})
      FOR UPDATE`;
    if (!row) return null;
    const current = DeliveryStatus.safeParse(row.status);
    if (!current.success) return { status: row.status, outbox: [] };
    const status = laterStatus(current.data, next);
    // A bounce reported after an open or a delivery changes nothing: the customer got it.
    if (next === "failed" && status !== "failed") return { status, outbox: [] };
    const first = firstReport(row, next, engagement);
    const announced = first ? (engagement ?? null) : null;
    const sent = unannouncedSend(row);
    // Every status a report leaves is past the queue, so a one-time code is blanked as the sender's results do.
    await tx.$executeRaw`
      UPDATE messages SET status = ${status}, content = ${spentContent},
        sent_at = CASE WHEN ${sent} THEN coalesce(sent_at, ${now}) ELSE sent_at END,
        delivered_at = CASE WHEN ${next} = 'delivered' THEN coalesce(delivered_at, ${now}) ELSE delivered_at END,
        failed_at = CASE WHEN ${next} = 'failed' THEN coalesce(failed_at, ${now}) ELSE failed_at END,
        failure_code = coalesce(${failureCode ?? null}, failure_code),
        opened_at = CASE WHEN ${next} IN ('opened', 'clicked') THEN coalesce(opened_at, ${now}) ELSE opened_at END,
        clicked_at = CASE WHEN ${next} = 'clicked' THEN coalesce(clicked_at, ${now}) ELSE clicked_at END,
        announced_engagements = CASE WHEN ${announced}::text IS NULL THEN announced_engagements
          ELSE array_append(announced_engagements, ${announced}::text) END
      WHERE id = ${row.id}`;
    const ref = {
      id: row.id,
      tenantId: row.tenant_id,
      customerId: row.customer_id,
      campaignId: row.campaign_id,
      channel: row.channel,
      provider: row.provider,
      textCleared: row.text_cleared,
    };
    const events: MessageEvent[] = [];
    if (sent)
      events.push(
        messageEvent<MessageSent>(ref, now, { type: "message.sent", provider: row.provider, attempt: row.attempts }),
      );
    if (first) events.push(event(ref));
    return { status, outbox: events.length ? await announceMessageEvents(tx, events) : [] };
  });
}

/**
 * A tracked link was followed, or an open pixel loaded (a click also proves the message was opened). The link as the
 * template rendered it may hold the customer's name, e-mail or phone: once retention cleared the message's text
 * (`clearOldMessages` of @regulars/privacy blanks its address), the click is announced with the link's site only,
 * as retention leaves older clicks; ClickHouse, which cuts links by the click's time, would keep it another period.
 */
export function recordEngagement(db: Db, messageId: string, engagement: Engagement, now: Date) {
  return engagement.kind === "click"
    ? report(
        db,
        messageId,
        "clicked",
        now,
        (m) =>
          messageEvent<MessageClicked>(m, now, {
            type: "message.clicked",
            url: m.textCleared ? siteOfLink(engagement.url) : engagement.url,
          }),
        { engagement: `clicked:${linkKey(engagement.url)}` },
      )
    : report(db, messageId, "opened", now, (m) => messageEvent<MessageOpened>(m, now, { type: "message.opened" }), {
        engagement: "opened",
      });
}

export type DeliveryReceipt = { status: "delivered" } | { status: "failed"; code: string; reason: string };

/**
 * A provider's report on a message it took: delivered to the phone, inbox or device, or failed after all (a
 * bounce). Only the tenant's messages, and only one the named provider sent.
 */
export async function recordDeliveryReceipt(
  db: Db,
  messageId: string,
  provider: string,
  receipt: DeliveryReceipt,
  now: Date,
  tenantId?: string,
): Promise<Reported | null> {
  const [owner] = await db.$queryRaw<
    { provider: string | null }[]
  >`SELECT provider FROM messages WHERE id = ${messageId}`;
  if (!owner || owner.provider !== provider) return null;
  return receipt.status === "delivered"
    ? report(
        db,
        messageId,
        "delivered",
        now,
        (m) => messageEvent<MessageDelivered>(m, now, { type: "message.delivered", provider }),
        { tenantId },
      )
    : report(
        db,
        messageId,
        "failed",
        now,
        (m) =>
          messageEvent<MessageFailed>(m, now, {
            type: "message.failed",
            code: receipt.code,
            // Tenants' webhooks get this: the provider's words may quote the recipient. Redacted before the cut,
            // so a cut cannot leave half an address that no longer looks like one.
            reason: redactPersonalData(receipt.reason).slice(0, 500),
          }),
        { tenantId, failureCode: receipt.code },
      );
}
