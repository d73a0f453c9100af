import { done, type Outcome } from "@regulars/bus";
import type { Db } from "@regulars/db";
import { isDeliverableType } from "@regulars/webhooks";
import { enqueueDeliveries, type FanOutEvent } from "@regulars/webhooks-store";
import { z } from "zod";
import { pseudonymiseErased } from "../analytics/erased.ts";
import { domainMessageOf } from "../domain-message.ts";

/**
 * A domain event as the fan-out reads it: only what it keys and routes by is checked (the body travels as it
 * is, and types added later, such as messages', need no change here); null for a type that never leaves.
 */
export const WebhookFanOutMessage = domainMessageOf<FanOutEvent>(
  isDeliverableType,
  z.looseObject({ type: z.string(), id: z.string().min(1), tenantId: z.string().min(1), occurredAt: z.string() }),
);
export type WebhookFanOutMessage = z.infer<typeof WebhookFanOutMessage>;

/**
 * Enqueues a batch's deliveries in one statement (acknowledged after it commits); `onEnqueued` wakes a sender.
 * An erased customer's events read after the erasure (published before it, read late) go out as the outbox would
 * announce them now (`pseudonymiseErased`); erasure's own `customer.erased`, which names the id so that the
 * tenant's systems forget it, goes out as it is.
 */
export async function fanOutBatch(
  db: Db,
  items: WebhookFanOutMessage[],
  onEnqueued?: (count: number) => void,
): Promise<Outcome[]> {
  const all = items.filter((item): item is FanOutEvent => item !== null);
  const notices = all.filter((e) => e.type === "customer.erased");
  const others = await pseudonymiseErased(
    db,
    all.filter((e) => e.type !== "customer.erased"),
  );
  const events = notices.length ? [...others, ...notices] : others;
  const count = await enqueueDeliveries(db, events);
  if (count) onEnqueued?.(count);
  return items.map(() => done);
}
