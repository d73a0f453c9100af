import { hash } from "node:crypto";
import type { MessageClicked, MessageDelivered, MessageFailed, MessageOpened, MessageSent } from "@regulars/contracts";
import type { DbTx } from "@regulars/db";
import { type OutboxItem, outboxItem, writeOutbox } from "@regulars/ledger-store";
import type { Channel } from "@regulars/messaging";

/** What every message event names. */
export interface MessageRef {
  id: string;
  tenantId: string;
  customerId: string | null;
  campaignId: string | null;
  channel: Channel;
}

export type MessageEvent = MessageSent | MessageDelivered | MessageFailed | MessageOpened | MessageClicked;

type Specific<T extends MessageEvent> = Omit<
  T,
  "id" | "tenantId" | "customerId" | "occurredAt" | "messageId" | "campaignId" | "channel"
>;

/** A destination's key in a click's event id, and in the clicks a message keeps as announced: never the link itself. */
export const linkKey = (url: string) => hash("sha256", url, "base64url").slice(0, 22);

/**
 * A message's domain event with a stable id: one `sent`, `delivered`, `failed` and `opened` per message, one
 * `clicked` per message and destination. A repeated report or a second click on the same link makes the same
 * id, so the outbox and JetStream keep it once.
 */
export function messageEvent<T extends MessageEvent>(message: MessageRef, at: Date, event: Specific<T>): T {
  const suffix = event.type === "message.clicked" ? `:${linkKey((event as unknown as { url: string }).url)}` : "";
  return {
    id: `${event.type}:${message.id}${suffix}`,
    tenantId: message.tenantId,
    customerId: message.customerId ?? "",
    occurredAt: at.toISOString(),
    messageId: message.id,
    campaignId: message.campaignId,
    channel: message.channel,
    ...event,
  } as T;
}

/** Writes the events in the caller's transaction; what it returns is for publishing once that commits. */
export async function announceMessageEvents(tx: DbTx, events: MessageEvent[]): Promise<OutboxItem[]> {
  const items = events.map(outboxItem);
  await writeOutbox(tx, items);
  return items;
}
