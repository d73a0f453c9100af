import { TransactionInput } from "@regulars/contracts";
import { z } from "zod";
import { FieldIssueSchema } from "./openapi-shared.ts";

/** Most transactions one batch may carry: a till's offline backlog is uploaded in several calls. */
export const maxBatchTransactions = 500;

const tooMany = `at most ${maxBatchTransactions} transactions per batch; split the upload into several calls`;

/** The documented request: each item is a `TransactionInput`. */
export const TransactionBatchInput = z
  .strictObject({
    transactions: z
      .array(TransactionInput)
      .min(1)
      .max(maxBatchTransactions)
      .meta({
        description:
          `1 to ${maxBatchTransactions} sales and refunds, each exactly what \`POST /v1/transactions\` takes, in the order ` +
          "the till recorded them (a refund after the sale it refunds). Each is checked and stored on its own.",
      }),
  })
  .meta({
    id: "TransactionBatchInput",
    description: "Transactions a till recorded while it was offline, uploaded together. Other fields are refused.",
  });

/**
 * What the door checks of a batch as a whole. Items are checked one by one afterwards, so one broken
 * transaction is reported in its result instead of refusing the other 499. A field beside `transactions` is refused
 * as a transaction's are: one the till meant to say something with would otherwise be dropped unread.
 */
export const TransactionBatchEnvelope = z.strictObject({
  transactions: z
    .array(z.unknown())
    .min(1, "a batch needs at least one transaction")
    .max(maxBatchTransactions, tooMany),
});

export const batchItemErrorCodes = [
  "invalid_request",
  "occurred_at_out_of_range",
  "idempotency_conflict",
  "payload_too_large",
  "hold_mismatch",
  "hold_unconfirmed",
  "hold_used",
  "hold_ended",
  "rate_limited",
  "channel_not_allowed",
] as const;

export const TransactionBatchItemError = z
  .object({
    code: z.enum(batchItemErrorCodes).meta({
      description:
        "`invalid_request` (`issues` names each field), `occurred_at_out_of_range` (outside the accepted window), " +
        "`idempotency_conflict` (this `externalId` was accepted before with a different body) or `payload_too_large` " +
        "(the transaction alone is larger, as JSON, than `POST /v1/transactions` takes) or `hold_mismatch` (a sale " +
        "naming a checkout hold priced on another basket or placed for another customer: `issues` names the first " +
        "differing field) or `hold_unconfirmed` (a sale naming a hold still waiting for its customer's one-time code) " +
        "or `hold_used` (a sale naming a hold another sale claimed or was committed to, earlier in this batch or before) " +
        "or `hold_ended` (a sale naming a hold released, expired or past its expiry, or unknown: post it again without " +
        "`holdId` (or quote again while the customer is there)) or `channel_not_allowed` (a `channel` this key may " +
        "not post: a kiosk key posts `kiosk` only), " +
        "all with status `invalid`; " +
        "`rate_limited` (status `throttled`: a sale with `couponCodes` while this key has been told too many codes do not exist).",
    }),
    message: z.string().meta({ description: "Why this transaction was refused and what to do, for people." }),
    issues: z
      .array(FieldIssueSchema)
      .optional()
      .meta({ description: "Each refused field of this transaction (paths from the transaction, not the batch)." }),
  })
  .meta({ id: "TransactionBatchItemError", description: "Why one transaction of a batch was refused." });

export const TransactionBatchItemResult = z
  .object({
    index: z.number().int().meta({ description: "The transaction's position in `transactions`, counted from 0." }),
    externalId: z
      .string()
      .nullable()
      .meta({ description: "The transaction's `externalId` as sent, or null when it sent none that is a string." }),
    status: z.enum(["accepted", "duplicate", "invalid", "throttled"]).meta({
      description:
        "`accepted`: stored now; points follow asynchronously. `duplicate`: accepted before with the same body, nothing " +
        "changed. Both mean the till may forget it. `invalid`: refused, nothing stored: fix it (see `error`), do not resend it as is. " +
        "`throttled`: a sale with `couponCodes` refused for now (`rate_limited`: this key was told too many codes do not " +
        "exist), nothing stored: keep it and send it again, as is, after `retryAfterSeconds`.",
    }),
    id: z
      .string()
      .optional()
      .meta({ description: "Our id of the transaction, on `accepted` and `duplicate` (the same on every retry)." }),
    error: TransactionBatchItemError.optional().meta({
      description: "Why it was refused; only on `invalid` and `throttled`.",
    }),
    retryAfterSeconds: z.number().int().optional().meta({
      description: "Only on `throttled`: send it again after this many seconds (the answer's `Retry-After`).",
    }),
  })
  .meta({ id: "TransactionBatchItemResult", description: "What became of one transaction of the batch." });

export const TransactionBatchResult = z
  .object({
    accepted: z.number().int().meta({ description: "How many transactions were stored now." }),
    duplicates: z.number().int().meta({ description: "How many were accepted before with the same body." }),
    invalid: z.number().int().meta({ description: "How many were refused; their results say why." }),
    throttled: z.number().int().meta({
      description: "How many sales with coupon codes were refused for now (`throttled`), to be sent again later.",
    }),
    results: z.array(TransactionBatchItemResult).meta({
      description: "One result per transaction, in the order of `transactions` (`index` says which).",
    }),
  })
  .meta({
    id: "TransactionBatchResult",
    description:
      "Every transaction's result. The answer comes only after every accepted transaction is stored, so what reads " +
      "`accepted` or `duplicate` is safe to delete from the till.",
  });
export type TransactionBatchResult = z.infer<typeof TransactionBatchResult>;
export type TransactionBatchItemResult = z.infer<typeof TransactionBatchItemResult>;
