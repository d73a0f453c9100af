import { z } from "zod";
import { PostedCouponCode } from "./coupon-code.ts";
import {
  Channel,
  CurrencyCode,
  CustomerRef,
  ExternalId,
  LocationId,
  MAX_TRANSACTION_MINOR,
  Minor,
  StoredExternalId,
  Timestamp,
} from "./primitives.ts";
import { SafeText } from "./text.ts";

/** A receipt line's fields; `TransactionLine` adds the cross-field rule. */
const transactionLineShape = {
  sku: SafeText(1, 64).meta({
    description: "Your product code (1-64 characters); earning rules match on it.",
    examples: ["FRIES-L"],
  }),
  name: SafeText(1, 200).meta({
    description: "The product name as printed on the receipt (1-200 characters).",
    examples: ["Fries large"],
  }),
  category: SafeText(1, 64)
    .meta({
      description: "Your product category (1-64 characters); earning rules may match on it.",
      examples: ["sides"],
    })
    .optional(),
  tags: z
    .array(SafeText(1, 40))
    .max(20)
    .default([])
    .meta({
      description:
        "Up to 20 labels (1-40 characters each) that earning rules may match on, such as `vegetarian` or `alcohol`.",
      examples: [["vegetarian"]],
    }),
  quantity: z
    .number()
    .int("must be a whole number")
    .positive("must be at least 1")
    .max(10_000, "must be at most 10000")
    .meta({ description: "How many items: a whole number from 1 to 10000.", examples: [2] }),
  unitPrice: Minor.nonnegative("must not be negative")
    .max(1_000_000_000, "must be at most 1000000000 (minor units)")
    .meta({
      description: "Price of one item before discounts, in minor units (cents: 350 means 3.50); 0 to 10^9.",
      examples: [350],
    }),
  discount: Minor.nonnegative("must not be negative")
    .max(MAX_TRANSACTION_MINOR)
    .default(0)
    .meta({
      description:
        "Discount on the whole line (not per item), in minor units; at most quantity × unitPrice. The line costs quantity × unitPrice − discount.",
      examples: [0],
    }),
  /**
   * Refunds only: the refunded sale's line this line takes back, its 0-based position in the sale's
   * `lines` (as `lineNo` in GET /v1/transactions/{externalId}). Without it the sale's line is found by
   * `sku`, compared exactly as it was posted. The money refunded is this line's quantity × unitPrice −
   * discount; half a line's price refunded reverses half of the points it earned.
   */
  lineNo: z
    .number()
    .int("must be a whole number")
    .min(0, "must not be negative")
    .max(499, "must be at most 499")
    .meta({
      description:
        "Refund lines only: which line of the refunded sale this takes back, by its 0-based position in the sale's `lines`. " +
        "Without it the sale's line is found by `sku`. Refused on a sale.",
      examples: [0],
    })
    .optional(),
};
export const TransactionLineFields = z.object(transactionLineShape);

/** A line's discount cannot exceed its price. */
export const discountWithinPrice = (
  line: { discount: number; quantity: number; unitPrice: number },
  ctx: z.RefinementCtx,
): void => {
  if (line.discount > line.quantity * line.unitPrice) {
    ctx.addIssue({ code: "custom", path: ["discount"], message: "must not exceed quantity × unitPrice" });
  }
};

/**
 * A line as a client posts it. Unknown fields are refused: a misspelt `line_no` on a refund line, dropped, would
 * match the sale's line by sku instead, and take back another line's points.
 */
export const TransactionLine = z
  .strictObject(transactionLineShape)
  .superRefine(discountWithinPrice)
  .meta({
    id: "TransactionLine",
    description:
      "One line of the receipt. A line's position in `lines`, counted from 0, is its `lineNo`: how " +
      "`GET /v1/transactions/{externalId}` and `transaction.processed` events refer to it, and how a refund line names the sale's line. " +
      "Other fields are refused.",
  });
export type TransactionLine = z.infer<typeof TransactionLine>;

/** A line as stored: fields a newer gateway added are ignored, not a reason to refuse a stored sale. */
const StoredTransactionLine = TransactionLineFields.superRefine(discountWithinPrice);

export const lineAmount = (l: Pick<TransactionLine, "quantity" | "unitPrice" | "discount">): number =>
  l.quantity * l.unitPrice - l.discount;

/** A transaction's fields, over the line and id schemas of the posted or the stored form. */
const transactionShape = (
  line: typeof TransactionLine | typeof StoredTransactionLine,
  id: typeof StoredExternalId,
) => ({
  externalId: id.meta({
    description:
      "Your unique id of this sale or refund within your tenant (e.g. till and receipt number), 1-128 printable ASCII characters " +
      "without spaces, not only dots (`.` and `..` would read as path steps in its status URL). It is the idempotency " +
      "key: posting it again answers 202 with `duplicate: true` and changes nothing.",
    examples: ["POS17-000451"],
  }),
  type: z
    .enum(["sale", "refund"])
    .meta({ description: "`sale`, or `refund` of an earlier sale (which `refundOf` then names)." }),
  refundOf: id
    .meta({
      description:
        "Only and always on a refund: the `externalId` of the sale it refunds. Required when `type` is `refund`; " +
        "must be absent or null on a sale; a refund cannot name itself.",
      examples: ["POS17-000451"],
    })
    .nullish(),
  occurredAt: Timestamp.meta({
    description:
      "When the sale or refund happened at the till: ISO 8601 with an offset. Accepted from 35 days in the past (a till " +
      "uploading a backlog) to 5 minutes ahead (clock skew) of the gateway's clock, by default; outside that window the " +
      "answer is 400 `occurred_at_out_of_range`.",
  }),
  locationId: LocationId.meta({
    description: "Your id of the store where it happened: 1-64 letters, digits, '-' or '_'.",
  }),
  channel: Channel,
  customer: CustomerRef.nullish().meta({
    description:
      "The customer who earns the points, by exactly one identity; a phone number no member has enrols a new member. " +
      "Omit it (or send null) for an anonymous sale, which earns nothing.",
  }),
  currency: CurrencyCode.meta({ description: "ISO 4217 code; it must be the tenant's currency." }),
  lines: z.array(line).min(1, "a transaction needs at least one line").max(500).meta({
    description:
      "The receipt's lines, 1 to 500, in receipt order (the first is `lineNo` 0). A refund lists the lines it takes back.",
  }),
  total: Minor.nonnegative("must not be negative")
    .max(MAX_TRANSACTION_MINOR, `must be at most ${MAX_TRANSACTION_MINOR} (minor units)`)
    .meta({
      description:
        "What the customer paid, in minor units (cents): it must equal the sum of the lines after discounts, " +
        "Σ (quantity × unitPrice − discount). For a refund, the amount refunded. 0 to 10^12.",
      examples: [1620],
    }),
  couponCodes: z
    .array(PostedCouponCode)
    .max(20)
    .default([])
    .meta({
      description:
        "Codes of coupons used on this sale, up to 20: 3-64 letters, digits or '-' each, compared as a quote compares " +
        "them (case, surrounding spaces and typographic dashes do not matter). Each counts as a use when the coupon " +
        "can still be used; the transaction's status lists every code with `counted` and, when not counted, why. " +
        "Beside a `holdId`, a code its hold did not apply stacks after the hold's coupons and takes only what the " +
        "hold left to pay on each line: its rewards, points and wallet cash are spent already (a free-fries code " +
        "beside a free-fries reward is not counted, `nothing_to_discount`).",
      examples: [[]],
    }),
  holdId: SafeText(1, 64)
    .meta({
      description:
        "The points hold made when the basket was quoted, which this sale commits; absent or null when no points are spent.",
    })
    .nullish(),
});

/** The rules across fields, the same for what is posted and what is stored. */
function transactionRules(
  tx: {
    externalId: string;
    type: "sale" | "refund";
    refundOf?: string | null;
    lines: { quantity: number; unitPrice: number; discount: number; lineNo?: number }[];
    total: number;
  },
  ctx: z.RefinementCtx,
): void {
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
  if (tx.type === "sale") {
    tx.lines.forEach((l, i) => {
      if (l.lineNo !== undefined)
        ctx.addIssue({
          code: "custom",
          path: ["lines", i, "lineNo"],
          message: "only a refund line may name the sale's lineNo",
        });
    });
  }
  if (tx.refundOf && tx.refundOf === tx.externalId) {
    ctx.addIssue({ code: "custom", path: ["refundOf"], message: "a refund cannot refund itself" });
  }
}

/**
 * `POST /v1/transactions`: the contract kiosks, POS terminals and integrators post. Unknown fields, here and in its
 * lines, are refused (a misspelt optional field would otherwise be dropped and the rest applied without it).
 */
export const TransactionInput = z
  .strictObject(transactionShape(TransactionLine, ExternalId))
  .superRefine(transactionRules)
  .meta({
    id: "TransactionInput",
    description:
      "A sale or refund as the till saw it. Cross-field rules: `total` equals the sum of the lines after discounts; " +
      "`customer` names exactly one identity; `refundOf` is present on every refund and on nothing else; " +
      "`currency` is the tenant's; `occurredAt` lies in the accepted window (35 days back, 5 minutes ahead by default). " +
      "Other fields are refused.",
  });
export type TransactionInput = z.infer<typeof TransactionInput>;

/**
 * A transaction as the streams carry it, which consumers read: tolerant of fields it does not know (a newer gateway's)
 * and of ids accepted before `ExternalId` refused some, so that nothing stored and answered 202 is dead-lettered for
 * the shape of the request that carried it. The same cross-field rules as `TransactionInput`.
 */
export const StoredTransaction = z
  .object(transactionShape(StoredTransactionLine, StoredExternalId))
  .superRefine(transactionRules);

export const TransactionAccepted = z
  .object({
    id: z.string().meta({
      description: "Our id of the transaction, derived from your tenant and `externalId` (the same on every retry).",
    }),
    externalId: z.string().meta({ description: "Your `externalId`, echoed." }),
    status: z.literal("accepted").meta({ description: "Stored durably; points follow asynchronously." }),
    duplicate: z.boolean().meta({ description: "True when this `externalId` was accepted before: nothing changed." }),
  })
  .meta({
    id: "TransactionAccepted",
    description: "The transaction is stored and will be processed; look it up by `externalId` later.",
  });
export type TransactionAccepted = z.infer<typeof TransactionAccepted>;
