import { z } from "zod";
import { Channel } from "./channels.ts";
import { SendFailure } from "./provider.ts";

export const DeliveryStatus = z.enum(["queued", "sent", "delivered", "failed", "opened", "clicked"]);
export type DeliveryStatus = z.infer<typeof DeliveryStatus>;

const base = { messageId: z.string().min(1), tenantId: z.string().min(1), channel: Channel, at: z.iso.datetime() };

/** What happened to a message, as the events that report it carry it. */
export const DeliveryEvent = z.discriminatedUnion("status", [
  z.object({ ...base, status: z.literal("queued"), attempt: z.number().int().min(1), notBefore: z.iso.datetime() }),
  z.object({
    ...base,
    status: z.literal("sent"),
    provider: z.string(),
    providerMessageId: z.string(),
    attempt: z.number().int().min(1),
  }),
  z.object({ ...base, status: z.literal("delivered"), provider: z.string(), providerMessageId: z.string().optional() }),
  z.object({
    ...base,
    status: z.literal("failed"),
    provider: z.string(),
    attempts: z.number().int().min(1),
    reason: z.enum(["not_retryable", "attempts_exhausted"]),
    failure: SendFailure,
  }),
  z.object({ ...base, status: z.literal("opened") }),
  z.object({ ...base, status: z.literal("clicked"), url: z.string() }),
]);
export type DeliveryEvent = z.infer<typeof DeliveryEvent>;

// How far a message got. An open or a click proves delivery, so it outranks `failed` (a provider may report a
// bounce late, or wrongly); `failed` outranks only the states before anything reached the customer.
const rank: Record<DeliveryStatus, number> = { queued: 0, sent: 1, failed: 2, delivered: 3, opened: 4, clicked: 5 };

/**
 * The status a message shows once `next` is reported: reports come out of order (a click before the
 * delivery receipt, a retry's `queued` after an earlier `sent` was lost), and a status never moves back.
 */
export function laterStatus(current: DeliveryStatus, next: DeliveryStatus): DeliveryStatus {
  return rank[next] > rank[current] ? next : current;
}
