import { z } from "zod";
import { Refusal } from "./checkout.ts";

/** Why the ledger refused a transaction it had accepted (202), for programs. */
export const RejectionCode = z.enum([
  "unknown_customer",
  "refund_of_refund",
  "refunded_sale_not_found",
  "refund_exceeds_sale",
  "refund_line_not_in_sale",
  "hold_used",
  "hold_ended",
  "idempotency_conflict",
  "contract_violation",
  "processing_failed",
]);
export type RejectionCode = z.infer<typeof RejectionCode>;

/** What became of one coupon code a sale posted: counted as a use, or not, and why. */
export const PostedCouponOutcome = z
  .object({
    code: z.string().meta({ description: "The code as compared: trimmed, upper case, typographic dashes as '-'." }),
    counted: z.boolean().meta({
      description: "True when the sale used up one use of the coupon (through its hold, or when it was processed).",
    }),
    refusal: Refusal.nullable().meta({
      description:
        "Why it was not counted (`unknown_code`, `limit_reached`, `code_used_up`, ...); null when counted. The sale " +
        "stays processed: the till had given the discount already, so check the code with the customer.",
    }),
  })
  .meta({
    id: "PostedCouponOutcome",
    description: "What became of one coupon code the sale posted: counted as a use of its coupon, or not and why.",
  });
export type PostedCouponOutcome = z.infer<typeof PostedCouponOutcome>;

/**
 * Why a till's answer leaves out the customer: the posting key is not recorded with the transaction, so the till that
 * rang a sale up cannot be told from any other of the tenant's, and external ids are often sequential.
 */
const omittedForTills =
  "Omitted in answers to pos and kiosk keys: a till cannot be told from the one that posted the sale, and must not " +
  "learn whose another till's sale was by guessing its `externalId`. The balance stays (the receipt prints it), " +
  "but nothing says whose it is.";

const Processed = z
  .object({
    status: z
      .literal("processed")
      .meta({ description: "The ledger applied it: points are awarded (or reversed, for a refund)." }),
    externalId: z.string().meta({ description: "Your `externalId`." }),
    id: z.string().meta({ description: "Our id of the transaction." }),
    type: z.enum(["sale", "refund"]).meta({ description: "`sale` or `refund`, as posted." }),
    occurredAt: z.string().meta({ description: "When it happened, as posted, in UTC." }),
    processedAt: z.string().meta({ description: "When the ledger applied it." }),
    customerId: z
      .string()
      .nullable()
      .optional()
      .meta({ description: `The customer it was credited to; null for an anonymous sale. ${omittedForTills}` }),
    pointsAwarded: z
      .number()
      .int()
      .meta({ description: "Points this transaction earned; negative for a refund (what it took back)." }),
    balance: z
      .object({
        points: z
          .number()
          .int()
          .meta({ description: "Spendable points now (may be negative after a refund of spent points)." }),
        pending: z.number().int().meta({ description: "Points earned but not spendable yet." }),
      })
      .nullable()
      .meta({
        description:
          "The customer's balances now, not as of this transaction; null without a customer. Integers, exact up to 2^53.",
      }),
    conflicts: z.number().int().meta({
      description: "Later posts of this `externalId` with a different body, refused as `idempotency_conflict`.",
    }),
    couponCodes: z.array(PostedCouponOutcome).meta({
      description: "Each coupon code the sale posted, once and in the order posted, and whether it counted as a use.",
    }),
  })
  .meta({ id: "TransactionProcessed", description: "Processed: the points are in the ledger." });

const Rejected = z
  .object({
    status: z.literal("rejected").meta({ description: "Accepted, then refused by the ledger: nothing was awarded." }),
    externalId: z.string().meta({ description: "Your `externalId`." }),
    reason: z
      .object({
        code: z.string().meta({
          description:
            "Why, for programs: `unknown_customer`, `refunded_sale_not_found`, `refund_of_refund`, `refund_exceeds_sale`, " +
            "`refund_line_not_in_sale`, `hold_used` (its checkout hold was another sale's), `hold_ended` (its checkout " +
            "hold was released, expired or unknown before the sale arrived: quote again), `idempotency_conflict`, " +
            "`contract_violation` or `processing_failed`.",
        }),
        message: z.string().meta({ description: "Why, for people, naming the field or the sale concerned." }),
      })
      .meta({ description: "The reason. Fix the transaction and post it under a new `externalId`." }),
    rejectedAt: z.string().meta({ description: "When the ledger refused it." }),
  })
  .meta({ id: "TransactionRejected", description: "Rejected after it was accepted, with the reason." });

const Accepted = z
  .object({
    status: z.literal("accepted").meta({
      description:
        "Stored and waiting for the ledger (normally a matter of seconds), or a refund waiting for its sale " +
        "(`waitingForSale`).",
    }),
    externalId: z.string().meta({ description: "Your `externalId`." }),
    id: z.string().meta({ description: "Our id of the transaction." }),
    receivedAt: z.string().meta({ description: "When the gateway accepted it." }),
    waitingForSale: z
      .object({
        refundOf: z.string().meta({ description: "The `externalId` of the sale it refunds, as posted in `refundOf`." }),
        until: z.string().meta({
          description:
            "When the wait ends, in UTC: a sale still missing then makes the refund `rejected` (`refunded_sale_not_found`).",
        }),
      })
      .nullable()
      .meta({
        description:
          "Set for a refund that arrived before its sale: it waits (up to `REFUND_WAIT_SECONDS`) and is `processed` " +
          "as soon as the sale arrives. Do not post it again. Null when it waits for nothing but the ledger.",
      }),
    conflicts: z
      .number()
      .int()
      .meta({
        description:
          "Later posts of this `externalId` with a different body, refused as `idempotency_conflict`; the transaction " +
          "first posted under it keeps it and goes on as shown.",
      }),
  })
  .meta({
    id: "TransactionPending",
    description:
      "Accepted (answered 202), not processed yet: on its way to the ledger, or a refund waiting for its sale.",
  });

/**
 * `GET /v1/transactions/{externalId}`: where a posted transaction stands. Every transaction answered 202
 * ends `processed` or `rejected` with a reason; nothing accepted disappears.
 */
export const TransactionStatusView = z
  .discriminatedUnion("status", [Processed, Rejected, Accepted])
  .meta({ id: "TransactionStatus", description: "accepted → processed, or accepted → rejected with a reason." });
export type TransactionStatusView = z.infer<typeof TransactionStatusView>;

/**
 * A transaction's status as a pos or kiosk key reads it: of a processed one, nothing that says whose it was (no
 * customer, lines or explanation; the balance its receipt prints, with no name to it). Built field by field, never
 * by trimming the full view, so a field added to the status later reaches tills only when someone decides it should.
 */
export function tillTransactionStatus(status: TransactionStatusView): TransactionStatusView {
  if (status.status === "rejected") {
    const { externalId, reason, rejectedAt } = status;
    return { status: "rejected", externalId, reason: { code: reason.code, message: reason.message }, rejectedAt };
  }
  if (status.status === "accepted") {
    const { externalId, id, receivedAt, waitingForSale, conflicts } = status;
    return { status: "accepted", externalId, id, receivedAt, waitingForSale, conflicts };
  }
  const { externalId, id, type, occurredAt, processedAt, pointsAwarded, balance, conflicts, couponCodes } = status;
  return {
    status: "processed",
    ...{ externalId, id, type, occurredAt, processedAt, pointsAwarded, balance, conflicts, couponCodes },
  };
}

/** Why the event resolver refused an event it had accepted (202), for programs. */
export const EventRejectionCode = z.enum(["unknown_customer", "contract_violation", "processing_failed"]);
export type EventRejectionCode = z.infer<typeof EventRejectionCode>;

/** As a sale's `conflicts`: the first event posted under an eventId keeps it, and its outcome stands. */
const eventConflicts = z
  .number()
  .int()
  .meta({
    description:
      "Later posts of this `eventId` with a different body, refused as `idempotency_conflict` (answered 409 when " +
      "posted; counted here when one came more than an hour after the first, before that first was decided); the " +
      "event first posted under it keeps its outcome.",
  });

const EventProcessed = z
  .object({
    status: z.literal("processed").meta({ description: "Recorded: in the customer's history, action points paid." }),
    eventId: z.string().meta({ description: "Your `eventId`." }),
    id: z.string().meta({ description: "Our id of the event." }),
    customerId: z
      .string()
      .nullable()
      .meta({ description: "The customer it was attributed to; null for an event posted without one." }),
    pointsAwarded: z.number().int().meta({
      description: "Action points this event paid (0 when no action rule applies or its limit was reached).",
    }),
    decidedAt: z.string().meta({ description: "When it was recorded." }),
    conflicts: eventConflicts,
  })
  .meta({ id: "EventProcessed", description: "Processed: recorded, and any action points paid." });

const EventRejected = z
  .object({
    status: z.literal("rejected").meta({ description: "Accepted, then refused: nothing was recorded or paid." }),
    eventId: z.string().meta({ description: "Your `eventId`." }),
    id: z.string().meta({ description: "Our id of the event." }),
    reason: z
      .object({
        code: EventRejectionCode.meta({
          description:
            "Why, for programs: `unknown_customer` (no customer has the identity the event names; events never " +
            "create customers), `contract_violation` or `processing_failed`.",
        }),
        message: z.string().meta({ description: "Why, for people." }),
      })
      .meta({ description: "The reason. Fix the event and post it under a new `eventId`." }),
    decidedAt: z.string().meta({ description: "When it was refused." }),
    conflicts: eventConflicts,
  })
  .meta({ id: "EventRejected", description: "Rejected after it was accepted, with the reason." });

/**
 * `GET /v1/events/{eventId}`: what became of a posted behavioural event. Every event answered 202 ends
 * `processed` or `rejected` with a reason, normally within a second.
 */
export const EventStatusView = z
  .discriminatedUnion("status", [EventProcessed, EventRejected])
  .meta({ id: "EventStatus", description: "processed, or rejected with a reason." });
export type EventStatusView = z.infer<typeof EventStatusView>;
