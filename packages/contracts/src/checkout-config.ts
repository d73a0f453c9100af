import { z } from "zod";
import { CouponCode } from "./coupon-code.ts";
import { LineMatch } from "./line-match.ts";
import { Channel, LocationId, MAX_TRANSACTION_MINOR, Minor, Timestamp } from "./primitives.ts";
import { SafeText } from "./text.ts";

/**
 * What admins configure for checkout: coupon campaigns (benefit, conditions, limits, codes, stacking) and the
 * programme's points at checkout (redemption, rewards). Stored configs read tolerantly; admins write strictly.
 */

export const Money = Minor.nonnegative("must not be negative").max(MAX_TRANSACTION_MINOR);
const PositiveMoney = Minor.positive("must be more than 0").max(MAX_TRANSACTION_MINOR);
const Count = z.number().int("must be a whole number").positive("must be at least 1").max(100_000_000);
const HourMinute = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, "use HH:MM (24-hour clock)");

/** The letters of generated codes: no 0/O, 1/I/L, 2/Z, 5/S, 8/B look-alikes. */
export const CODE_ALPHABET = "3469ACDEFGHJKMNPQRTUVWXY";

/**
 * A unique-codes pattern as stored: what campaigns were ever saved with, so every stored campaign still reads. New
 * and changed campaigns must pass `RedeemableCodePattern` as well.
 */
export const CodePattern = z
  .string()
  .regex(/^[A-Z0-9-]*X{4,}[A-Z0-9-]*$/, "upper-case letters, digits and '-', with a run of at least 4 X's")
  .max(48)
  .meta({
    description:
      "Unique codes' shape: each X of the longest run becomes a random letter. Starts with a letter or digit (a " +
      "code starting with '-' is no coupon code).",
    examples: ["WELCOME-XXXXXXXX"],
  });

/** A pattern whose every code passes CouponCode, which takes a '-' anywhere but first: checked when saving one. */
export const RedeemableCodePattern = CodePattern.refine((p) => !p.startsWith("-"), {
  message: "upper-case letters, digits and '-', starting with a letter or digit, with a run of at least 4 X's",
});

/**
 * Coupon campaigns and the programme's points at checkout, built twice from one definition, as the earning rules
 * are. Reading is tolerant: a config stored by another version must still load. Writing is strict at every depth: a
 * misspelt `perCustomr` or `minBaskett`, dropped, would put a coupon live without that limit or condition.
 */
function checkoutConfigSchemas(strict: boolean) {
  // Only what happens to an unknown key differs, so both builds have the same types.
  const object = (strict ? z.strictObject : z.object) as typeof z.object;
  const match = strict ? (LineMatch.strict() as unknown as typeof LineMatch) : LineMatch;

  /**
   * What a coupon or a reward gives. Discounts apply to what is left of the matching lines after the
   * benefits applied before them, so a basket never goes below zero.
   * - `percent_off`: rounds down to the cent, optionally capped by `maxAmount`;
   * - `fixed_off`: never more than what it applies to;
   * - `free_item`: the cheapest `quantity` matching items are free;
   * - `bonus_points` and `wallet_cash`: credited to the customer when the sale commits, no discount.
   */
  const Benefit = z.discriminatedUnion("kind", [
    object({
      kind: z.literal("percent_off"),
      percent: z.number().positive("must be more than 0").max(100, "must be at most 100"),
      match: match.optional(),
      maxAmount: PositiveMoney.optional(),
    }),
    object({ kind: z.literal("fixed_off"), amount: PositiveMoney, match: match.optional() }),
    object({ kind: z.literal("free_item"), match, quantity: z.number().int().min(1).max(100).default(1) }),
    object({ kind: z.literal("bonus_points"), points: z.number().int().positive().max(1_000_000) }),
    object({ kind: z.literal("wallet_cash"), amount: PositiveMoney }),
  ]);

  /** When a coupon may be used: every given condition must hold. Calendar conditions use local time. */
  const CouponConditions = object({
    /** The basket before any discount, in minor units. */
    minBasket: Money.default(0),
    /** The basket must hold a matching line. */
    requires: match.optional(),
    locations: z.array(LocationId).max(500).default([]),
    channels: z.array(Channel).default([]),
    /** ISO weekdays: 1 = Monday … 7 = Sunday. */
    weekdays: z.array(z.number().int().min(1).max(7)).default([]),
    /** Local time of day; `to` before `from` spans midnight. */
    hours: object({ from: HourMinute, to: HourMinute }).optional(),
    validFrom: Timestamp.optional(),
    validTo: Timestamp.optional(),
    tiers: z.array(SafeText(1, 32)).default([]),
  }).refine((c) => !c.validFrom || !c.validTo || Date.parse(c.validFrom) < Date.parse(c.validTo), {
    path: ["validTo"],
    message: "must be after validFrom",
  });

  /** How often a coupon campaign may be used, counted over holds and committed uses. */
  const CouponLimits = object({
    total: Count.optional(),
    perCustomer: Count.optional(),
    perCode: Count.optional(),
    /** Uses per local calendar day, across customers. */
    perDay: Count.optional(),
    /** Money the campaign may give away in discounts, minor units. */
    budget: PositiveMoney.optional(),
  });

  const CouponCodes = z.discriminatedUnion("kind", [
    /** One code for everybody. */
    object({ kind: z.literal("generic"), code: CouponCode }),
    /** Codes generated in bulk from a pattern, each usable `limits.perCode` times (default once). */
    object({ kind: z.literal("unique"), pattern: CodePattern }),
    /** Partner or offline codes imported from a file. */
    object({ kind: z.literal("imported") }),
  ]);

  /**
   * How coupons combine on one basket: an `exclusive` coupon is used alone; at most one coupon of each
   * stacking `group`; otherwise coupons stack, each on what the ones before it left.
   */
  const Stacking = object({
    exclusive: z.boolean().default(false),
    group: SafeText(1, 40).optional(),
  });

  const CouponCampaignConfig = object({
    name: SafeText(1, 120),
    description: SafeText(0, 1000).optional(),
    benefit: Benefit,
    conditions: CouponConditions.default({ minBasket: 0, locations: [], channels: [], weekdays: [], tiers: [] }),
    limits: CouponLimits.default({}),
    codes: CouponCodes,
    stacking: Stacking.default({ exclusive: false }),
    /** A refund of the whole sale gives the coupon use back. */
    refundReturnsUse: z.boolean().default(true),
    /** Put into the wallet of every customer who signs up in the brand's app (a welcome coupon), while active. */
    issueOnRegistration: z.boolean().default(false),
  });

  /** Points' worth when spent: `points` points are worth `value` minor units (100 points = €5). */
  const RedemptionConfig = object({
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

  /** A catalog reward priced in points: "20 points = free veg puff", "30 points = 30% off". */
  const Reward = object({
    id: z.string().regex(/^[a-z0-9][a-z0-9_-]{0,63}$/, "lower-case letters, digits, '-' or '_'"),
    name: SafeText(1, 120),
    enabled: z.boolean().default(true),
    points: z.number().int().positive().max(1_000_000_000),
    benefit: Benefit.refine((b) => b.kind !== "bonus_points" && b.kind !== "wallet_cash", "a reward gives a discount"),
  });

  return {
    Benefit,
    CouponConditions,
    CouponLimits,
    CouponCodes,
    Stacking,
    CouponCampaignConfig,
    RedemptionConfig,
    Reward,
  };
}

export const {
  Benefit,
  CouponConditions,
  CouponLimits,
  CouponCodes,
  Stacking,
  CouponCampaignConfig,
  RedemptionConfig,
  Reward,
} = checkoutConfigSchemas(false);
export type Benefit = z.infer<typeof Benefit>;
export type CouponConditions = z.infer<typeof CouponConditions>;
export type CouponLimits = z.infer<typeof CouponLimits>;
export type CouponCodes = z.infer<typeof CouponCodes>;
export type CouponCampaignConfig = z.infer<typeof CouponCampaignConfig>;
export type RedemptionConfig = z.infer<typeof RedemptionConfig>;
export type Reward = z.infer<typeof Reward>;

const written = checkoutConfigSchemas(true);
/** A campaign's config as an admin writes it: unknown keys are refused at any depth. */
export const CouponCampaignConfigInput = written.CouponCampaignConfig;
/** Points' worth at checkout as an admin writes it: unknown keys are refused. */
export const RedemptionConfigInput = written.RedemptionConfig;
/** A catalog reward as an admin writes it: unknown keys are refused, in its benefit too. */
export const RewardInput = written.Reward;

export const CouponCampaignStatus = z.enum(["active", "paused"]);
export type CouponCampaignStatus = z.infer<typeof CouponCampaignStatus>;
