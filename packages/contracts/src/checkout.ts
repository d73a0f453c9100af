import { z } from "zod";
import { LineMatch } from "./line-match.ts";
import {
  Channel,
  CurrencyCode,
  CustomerRef,
  LocationId,
  MAX_TRANSACTION_MINOR,
  Minor,
  Timestamp,
} from "./primitives.ts";
import { SafeText } from "./text.ts";
import { discountWithinPrice, TransactionLineFields } from "./transaction.ts";

/**
 * Checkout: what a customer can spend (coupons, rewards, points, wallet cash) and how a basket is priced
 * with it. A quote prices a basket; a hold reserves what the quote chose until the sale that uses it
 * commits it in the ledger, or it is voided or expires.
 */

const Money = Minor.nonnegative("must not be negative").max(MAX_TRANSACTION_MINOR);
const PositiveMoney = Minor.positive("must be more than 0").max(MAX_TRANSACTION_MINOR);
const Count = z.number().int("must be a whole number").positive("must be at least 1").max(100_000_000);
const HourMinute = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, "use HH:MM (24-hour clock)");

/** A coupon code as customers type it: letters, digits and '-', compared upper-case. */
export const CouponCode = z
  .string()
  .trim()
  .regex(/^[A-Za-z0-9][A-Za-z0-9-]{2,63}$/, "use 3-64 letters, digits or '-'")
  .transform((c) => c.toUpperCase())
  .meta({ description: "A coupon code: 3-64 letters, digits or '-', case-insensitive.", examples: ["WELCOME-7KQ4"] });

/**
 * What a coupon or a reward gives. Discounts apply to what is left of the matching lines after the
 * benefits applied before them, so a basket never goes below zero.
 * - `percent_off`: rounds down to the cent, optionally capped by `maxAmount`;
 * - `fixed_off`: never more than what it applies to;
 * - `free_item`: the cheapest `quantity` matching items are free;
 * - `bonus_points` and `wallet_cash`: credited to the customer when the sale commits, no discount.
 */
export const Benefit = z.discriminatedUnion("kind", [
  z.object({
    kind: z.literal("percent_off"),
    percent: z.number().positive("must be more than 0").max(100, "must be at most 100"),
    match: LineMatch.optional(),
    maxAmount: PositiveMoney.optional(),
  }),
  z.object({ kind: z.literal("fixed_off"), amount: PositiveMoney, match: LineMatch.optional() }),
  z.object({ kind: z.literal("free_item"), match: LineMatch, quantity: z.number().int().min(1).max(100).default(1) }),
  z.object({ kind: z.literal("bonus_points"), points: z.number().int().positive().max(1_000_000) }),
  z.object({ kind: z.literal("wallet_cash"), amount: PositiveMoney }),
]);
export type Benefit = z.infer<typeof Benefit>;

/** When a coupon may be used: every given condition must hold. Calendar conditions use local time. */
export const CouponConditions = z
  .object({
    /** The basket before any discount, in minor units. */
    minBasket: Money.default(0),
    /** The basket must hold a matching line. */
    requires: LineMatch.optional(),
    locations: z.array(LocationId).max(500).default([]),
    channels: z.array(Channel).default([]),
    /** ISO weekdays: 1 = Monday … 7 = Sunday. */
    weekdays: z.array(z.number().int().min(1).max(7)).default([]),
    /** Local time of day; `to` before `from` spans midnight. */
    hours: z.object({ from: HourMinute, to: HourMinute }).optional(),
    validFrom: Timestamp.optional(),
    validTo: Timestamp.optional(),
    tiers: z.array(SafeText(1, 32)).default([]),
  })
  .refine((c) => !c.validFrom || !c.validTo || Date.parse(c.validFrom) < Date.parse(c.validTo), {
    path: ["validTo"],
    message: "must be after validFrom",
  });
export type CouponConditions = z.infer<typeof CouponConditions>;

/** How often a coupon campaign may be used, counted over holds and committed uses. */
export const CouponLimits = z.object({
  total: Count.optional(),
  perCustomer: Count.optional(),
  perCode: Count.optional(),
  /** Uses per local calendar day, across customers. */
  perDay: Count.optional(),
  /** Money the campaign may give away in discounts, minor units. */
  budget: PositiveMoney.optional(),
});
export type CouponLimits = z.infer<typeof CouponLimits>;

/** The letters of generated codes: no 0/O, 1/I/L, 2/Z, 5/S, 8/B look-alikes. */
export const CODE_ALPHABET = "3469ACDEFGHJKMNPQRTUVWXY";

export const CodePattern = z
  .string()
  .regex(/^[A-Z0-9-]*X{4,}[A-Z0-9-]*$/, "upper-case letters, digits and '-', with a run of at least 4 X's")
  .max(48)
  .meta({
    description: "Unique codes' shape: each X of the longest run becomes a random letter.",
    examples: ["WELCOME-XXXX"],
  });

export const CouponCodes = z.discriminatedUnion("kind", [
  /** One code for everybody. */
  z.object({ kind: z.literal("generic"), code: CouponCode }),
  /** Codes generated in bulk from a pattern, each usable `limits.perCode` times (default once). */
  z.object({ kind: z.literal("unique"), pattern: CodePattern }),
  /** Partner or offline codes imported from a file. */
  z.object({ kind: z.literal("imported") }),
]);
export type CouponCodes = z.infer<typeof CouponCodes>;

/**
 * How coupons combine on one basket: an `exclusive` coupon is used alone; at most one coupon of each
 * stacking `group`; otherwise coupons stack, each on what the ones before it left.
 */
export const Stacking = z.object({
  exclusive: z.boolean().default(false),
  group: SafeText(1, 40).optional(),
});

export const CouponCampaignConfig = z.object({
  name: SafeText(1, 120),
  description: SafeText(0, 1000).optional(),
  benefit: Benefit,
  conditions: CouponConditions.default({ minBasket: 0, locations: [], channels: [], weekdays: [], tiers: [] }),
  limits: CouponLimits.default({}),
  codes: CouponCodes,
  stacking: Stacking.default({ exclusive: false }),
  /** A refund of the whole sale gives the coupon use back. */
  refundReturnsUse: z.boolean().default(true),
});
export type CouponCampaignConfig = z.infer<typeof CouponCampaignConfig>;

export const CouponCampaignStatus = z.enum(["active", "paused"]);
export type CouponCampaignStatus = z.infer<typeof CouponCampaignStatus>;

/** Points' worth when spent: `points` points are worth `value` minor units (100 points = €5). */
export const RedemptionConfig = z.object({
  points: z.number().int().positive().max(1_000_000),
  value: PositiveMoney,
  minPoints: z.number().int().nonnegative().max(1_000_000_000).default(0),
  /** Points are spent in multiples of this. */
  step: z.number().int().positive().max(1_000_000).default(1),
  /** The most points may take off one order, minor units. */
  maxDiscountPerOrder: PositiveMoney.optional(),
  /** A refund gives back the points its sale spent, in proportion to the money refunded. */
  refundReturnsPoints: z.boolean().default(true),
});
export type RedemptionConfig = z.infer<typeof RedemptionConfig>;

/** A catalog reward priced in points: "20 points = free veg puff", "30 points = 30% off". */
export const Reward = z.object({
  id: z.string().regex(/^[a-z0-9][a-z0-9_-]{0,63}$/, "lower-case letters, digits, '-' or '_'"),
  name: SafeText(1, 120),
  enabled: z.boolean().default(true),
  points: z.number().int().positive().max(1_000_000_000),
  benefit: Benefit.refine((b) => b.kind !== "bonus_points" && b.kind !== "wallet_cash", "a reward gives a discount"),
});
export type Reward = z.infer<typeof Reward>;

/** Why something cannot be used on this basket; `message` says it for people. */
export const RefusalCode = z.enum([
  "unknown_code",
  "paused",
  "not_yet_valid",
  "expired",
  "wrong_location",
  "wrong_channel",
  "wrong_day",
  "wrong_time",
  "wrong_tier",
  "below_minimum_basket",
  "no_matching_items",
  "limit_reached",
  "customer_limit_reached",
  "code_used_up",
  "daily_limit_reached",
  "budget_exhausted",
  "not_combinable",
  "customer_required",
  "not_enough_points",
  "below_minimum_points",
  "not_a_step",
  "max_discount_reached",
  "points_not_redeemable",
  "not_enough_wallet",
  "unknown_reward",
  "nothing_to_discount",
]);
export type RefusalCode = z.infer<typeof RefusalCode>;

export const Refusal = z.object({ code: RefusalCode, message: z.string() });
export type Refusal = z.infer<typeof Refusal>;

/** A basket line as the terminal shows it before checkout (its own discounts, if any, already in). */
export const BasketLine = TransactionLineFields.omit({ lineNo: true }).superRefine(discountWithinPrice);
export type BasketLine = z.infer<typeof BasketLine>;

export const Basket = z
  .object({
    locationId: LocationId,
    channel: Channel,
    currency: CurrencyCode,
    lines: z.array(BasketLine).min(1, "a basket needs at least one line").max(500),
  })
  .meta({ id: "Basket" });
export type Basket = z.infer<typeof Basket>;

/** What the customer asks to spend; everything is optional, a bare quote lists what could be used. */
export const CheckoutSelection = z.object({
  couponCodes: z.array(CouponCode).max(20).default([]),
  rewardIds: z.array(Reward.shape.id).max(20).default([]),
  points: z.number().int().nonnegative().max(1_000_000_000_000).default(0),
  wallet: Money.default(0),
});
export type CheckoutSelection = z.infer<typeof CheckoutSelection>;

export const QuoteRequest = z
  .object({ customer: CustomerRef.nullish(), basket: Basket })
  .extend(CheckoutSelection.shape)
  .meta({ id: "QuoteRequest" });
export type QuoteRequest = z.infer<typeof QuoteRequest>;

export const HoldRequest = QuoteRequest.extend({
  customer: CustomerRef,
  /** How long the hold lasts unless committed or voided. */
  ttlSeconds: z.number().int().min(30).max(86_400).default(900),
}).meta({ id: "HoldRequest" });
export type HoldRequest = z.infer<typeof HoldRequest>;

/** One benefit applied to the basket, and how much of it each line carries. */
export const AppliedBenefit = z.object({
  source: z.enum(["tier", "coupon", "reward", "points", "wallet"]),
  /** The coupon code, reward id, tier id, or null for points and wallet. */
  ref: z.string().nullable(),
  name: z.string(),
  /** Money off, minor units (0 for bonus points and wallet cash credits). */
  amount: z.number().int(),
  /** Points this spends (rewards, points) or credits (a bonus_points coupon, as a negative number). */
  points: z.number().int(),
  /** Wallet cash this spends (positive) or credits (a wallet_cash coupon, negative). */
  wallet: z.number().int(),
  lines: z.array(z.object({ lineNo: z.number().int(), amount: z.number().int() })),
});
export type AppliedBenefit = z.infer<typeof AppliedBenefit>;

export const Option = z.object({
  applicable: z.boolean(),
  refusal: Refusal.nullable(),
});

export const Quote = z
  .object({
    currency: z.string(),
    /** Σ quantity × unitPrice − the lines' own discounts, before anything Regulars takes off. */
    subtotal: z.number().int(),
    /** What the customer pays: never below zero. */
    total: z.number().int(),
    discount: z.number().int(),
    applied: z.array(AppliedBenefit),
    /** Per line: the discount to post as the line's `discount` on the sale (its own plus ours). */
    lines: z.array(z.object({ lineNo: z.number().int(), discount: z.number().int(), amount: z.number().int() })),
    coupons: z.array(
      Option.extend({
        code: z.string(),
        campaignId: z.string().nullable(),
        name: z.string().nullable(),
        selected: z.boolean(),
        inWallet: z.boolean(),
      }),
    ),
    rewards: z.array(
      Option.extend({ id: z.string(), name: z.string(), points: z.number().int(), selected: z.boolean() }),
    ),
    points: z.object({
      balance: z.number().int(),
      held: z.number().int(),
      spendable: z.number().int(),
      minPoints: z.number().int(),
      step: z.number().int(),
      /** The most points this basket can take (limits, balance and what is left to pay). */
      maxUsable: z.number().int(),
      requested: z.number().int(),
      applied: z.number().int(),
      value: z.number().int(),
      refusal: Refusal.nullable(),
    }),
    wallet: z.object({
      balance: z.number().int(),
      held: z.number().int(),
      requested: z.number().int(),
      applied: z.number().int(),
      refusal: Refusal.nullable(),
    }),
  })
  .meta({ id: "Quote" });
export type Quote = z.infer<typeof Quote>;
