import { z } from "zod";
import { Channel, CurrencyCode, CustomerRef, ExternalId, LocationId, Minor, Timestamp } from "./primitives.ts";

export const TransactionLine = z
  .object({
    sku: z.string().min(1).max(64),
    name: z.string().min(1).max(200),
    category: z.string().min(1).max(64).optional(),
    tags: z.array(z.string().min(1).max(40).regex(/^[^\x00-\x1f]+$/, "must not contain control characters")).max(20).default([]),
    quantity: z.number().int("must be a whole number").positive("must be at least 1").max(10_000),
    unitPrice: Minor.nonnegative("must not be negative").max(100_000_000),
    discount: Minor.nonnegative("must not be negative").default(0),
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
    total: Minor.nonnegative("must not be negative"),
    couponCodes: z.array(z.string().min(1).max(64)).max(20).default([]),
    holdId: z.string().max(64).nullish(),
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
