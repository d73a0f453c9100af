import { z } from "zod";
import { Channel, CurrencyCode, CustomerRef, ExternalId, LocationId, MAX_TRANSACTION_MINOR, Minor, Timestamp } from "./primitives.ts";
import { SafeText } from "./text.ts";

export const TransactionLine = z
  .object({
    sku: SafeText(1, 64),
    name: SafeText(1, 200),
    category: SafeText(1, 64).optional(),
    tags: z.array(SafeText(1, 40)).max(20).default([]),
    quantity: z.number().int("must be a whole number").positive("must be at least 1").max(10_000, "must be at most 10000"),
    unitPrice: Minor.nonnegative("must not be negative").max(1_000_000_000, "must be at most 1000000000 (minor units)"),
    discount: Minor.nonnegative("must not be negative").max(MAX_TRANSACTION_MINOR).default(0),
  })
  .superRefine((line, ctx) => {
    if (line.discount > line.quantity * line.unitPrice) {
      ctx.addIssue({ code: "custom", path: ["discount"], message: "must not exceed quantity × unitPrice" });
    }
  });
export type TransactionLine = z.infer<typeof TransactionLine>;

export const lineAmount = (l: Pick<TransactionLine, "quantity" | "unitPrice" | "discount">): number =>
  l.quantity * l.unitPrice - l.discount;

/** `POST /v1/transactions`: the contract kiosks, POS terminals and integrators post. */
export const TransactionInput = z
  .object({
    externalId: ExternalId,
    type: z.enum(["sale", "refund"]),
    refundOf: ExternalId.nullish(),
    occurredAt: Timestamp,
    locationId: LocationId,
    channel: Channel,
    customer: CustomerRef.nullish(),
    currency: CurrencyCode,
    lines: z.array(TransactionLine).min(1, "a transaction needs at least one line").max(500),
    total: Minor.nonnegative("must not be negative").max(MAX_TRANSACTION_MINOR, `must be at most ${MAX_TRANSACTION_MINOR} (minor units)`),
    couponCodes: z.array(SafeText(1, 64)).max(20).default([]),
    holdId: SafeText(1, 64).nullish(),
  })
  .superRefine((tx, ctx) => {
    const sum = tx.lines.reduce((acc, l) => acc + lineAmount(l), 0);
    if (sum !== tx.total) {
      ctx.addIssue({ code: "custom", path: ["total"], message: `must equal the lines after discounts (${sum})` });
    }
    if (tx.type === "refund" && !tx.refundOf) {
      ctx.addIssue({ code: "custom", path: ["refundOf"], message: "a refund must name the externalId it refunds" });
    }
    if (tx.type === "sale" && tx.refundOf) {
      ctx.addIssue({ code: "custom", path: ["refundOf"], message: "only a refund may name refundOf" });
    }
    if (tx.refundOf && tx.refundOf === tx.externalId) {
      ctx.addIssue({ code: "custom", path: ["refundOf"], message: "a refund cannot refund itself" });
    }
  });
export type TransactionInput = z.infer<typeof TransactionInput>;

export const TransactionAccepted = z.object({
  id: z.string(),
  externalId: z.string(),
  status: z.literal("accepted"),
  duplicate: z.boolean(),
});
export type TransactionAccepted = z.infer<typeof TransactionAccepted>;
