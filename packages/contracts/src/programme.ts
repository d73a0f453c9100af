import { z } from "zod";
import { RedemptionConfig, RedemptionConfigInput, Reward, RewardInput } from "./checkout-config.ts";
import { LineMatch } from "./line-match.ts";
import { Channel } from "./primitives.ts";
import { SafeText } from "./text.ts";

/**
 * A tenant's loyalty programme: earning rules, tiers, expiry, stamp cards and milestones. Stored as a
 * versioned JSON document; a transaction is always evaluated against the version in force at its
 * `occurredAt`, so editing the programme never rewrites history.
 *
 * Amounts are minor units (cents); points are integers. Calendar conditions (weekdays, birthdays,
 * "per day" caps) use the tenant's time zone.
 */

export { LineMatch } from "./line-match.ts";

/**
 * No transaction earns more, whatever the rules multiply to: balances stay exact JavaScript numbers
 * (below 2^53) however many transactions a customer makes.
 */
export const MAX_POINTS_PER_TRANSACTION = 1_000_000_000_000;

/** Points a single rule, reward or card may give: generous, and far from where sums stop being exact. */
const MAX_RULE_POINTS = 1_000_000;
const RulePoints = z.number().int().positive().max(MAX_RULE_POINTS);
const RewardPoints = z.number().int().nonnegative().max(MAX_RULE_POINTS);
const Amount = z.number().int().nonnegative().max(1_000_000_000_000);

/**
 * The rule schemas, built twice from one definition. Reading is tolerant: a stored document with a key this version
 * does not know must still load. Writing is strict: a key the schema does not know is refused by name rather than
 * dropped, because a dropped `weekday` (for `weekdays`) or filter turns a narrow promotion into one for everyone.
 */
function earningRuleSchemas(strict: boolean) {
  // Only what happens to an unknown key differs, so both builds have the same types.
  const object = (strict ? z.strictObject : z.object) as typeof z.object;
  const match = strict ? (LineMatch.strict() as unknown as typeof LineMatch) : LineMatch;

  const RuleBase = object({
    id: z.string().regex(/^[a-z0-9][a-z0-9_-]{0,63}$/, "lower-case letters, digits, '-' or '_'"),
    name: SafeText(0, 120).optional(),
    enabled: z.boolean().default(true),
    /** Higher runs first. */
    priority: z.number().int().min(-1000).max(1000).default(0),
    /**
     * When this rule applies, rules of strictly lower priority are not evaluated. A multiplier stops only
     * lower-priority multipliers, and only on the lines it covers; any other rule stops every lower rule.
     */
    stopProcessing: z.boolean().default(false),
    validFrom: z.iso.datetime({ offset: true }).optional(),
    validTo: z.iso.datetime({ offset: true }).optional(),
    channels: z.array(Channel).default([]),
    locations: z.array(SafeText(1, 64)).default([]),
    tiers: z.array(SafeText(1, 32)).default([]),
    /**
     * Segment ids: the rule applies only to customers who are current members of at least one of them (as last
     * materialised). Optional, unlike the other filters, so documents stored before it read back unchanged.
     */
    segments: z.array(SafeText(1, 64)).max(50).optional(),
    /**
     * The rule applies only when the basket total reaches this: what the customer paid, every line after its
     * discounts, excluded lines included (unlike per_visit's and slabs' amounts, which count only what earns).
     */
    minBasket: Amount.default(0),
  });

  /**
   * 1 point per €1: floor(eligible amount × pointsPerUnit / unitMinor), floored once per transaction. With a
   * `match`, the eligible amount is that of the matching lines, and the points add to any other rate's.
   */
  const BaseRateRule = RuleBase.extend({
    type: z.literal("base_rate"),
    pointsPerUnit: z.number().int().positive().max(10_000),
    unitMinor: z.number().int().positive().max(1_000_000_000),
    /** Only the eligible lines that match count ("2 points per €1 on drinks"); without it, every eligible line. */
    match: match.optional(),
  });

  /** Fixed points by basket amount: the highest slab reached counts (≥100 → 1, ≥200 → 4, ≥300 → 8). */
  const SlabsRule = RuleBase.extend({
    type: z.literal("slabs"),
    slabs: z
      .array(object({ minAmount: Amount, points: RewardPoints }))
      .min(1)
      .max(50),
  });

  /** Points per item bought: beverages 1 point per item, snacks 2. */
  const PerItemRule = RuleBase.extend({
    type: z.literal("per_item"),
    match,
    pointsPerItem: RulePoints,
  });

  /** Fixed points per qualifying transaction. */
  const PerVisitRule = RuleBase.extend({
    type: z.literal("per_visit"),
    points: RulePoints,
    minAmount: Amount.default(0),
  });

  /**
   * Multiplies the points earned on lines (base rate and per item). When several multipliers apply to a
   * line the highest wins, except stackable ones, which multiply on top.
   */
  const MultiplierRule = RuleBase.extend({
    type: z.literal("multiplier"),
    factor: z.number().positive().max(100),
    stackable: z.boolean().default(false),
    /** All given conditions must hold. Without `products` it applies to every eligible line. */
    weekdays: z.array(z.number().int().min(1).max(7)).default([]), // ISO: 1 = Monday … 7 = Sunday
    birthday: z.boolean().default(false),
    products: match.optional(),
  });

  /** Lines that never earn (alcohol, low-margin items). */
  const ExclusionRule = RuleBase.extend({
    type: z.literal("exclusion"),
    match,
  });

  /** Points for a non-purchase event arriving through POST /v1/events. */
  const ActionRule = RuleBase.extend({
    type: z.literal("action"),
    event: z.string().regex(/^[a-z][a-z0-9_]{1,63}$/),
    points: RulePoints,
    /** `once`: only the first such event of a customer earns; `per_event`: every distinct event. */
    limit: z.enum(["once", "per_day", "per_event"]).default("once"),
    minBasket: z.literal(0, "an action has no basket: leave minBasket out").default(0),
  });

  const EarningRule = z.discriminatedUnion("type", [
    BaseRateRule,
    SlabsRule,
    PerItemRule,
    PerVisitRule,
    MultiplierRule,
    ExclusionRule,
    ActionRule,
  ]);

  return { BaseRateRule, SlabsRule, PerItemRule, PerVisitRule, MultiplierRule, ExclusionRule, ActionRule, EarningRule };
}

export const {
  BaseRateRule,
  SlabsRule,
  PerItemRule,
  PerVisitRule,
  MultiplierRule,
  ExclusionRule,
  ActionRule,
  EarningRule,
} = earningRuleSchemas(false);
/** A rule as written through the API or a programme import: unknown keys are refused, at any depth of the rule. */
export const EarningRuleInput = earningRuleSchemas(true).EarningRule;
export type EarningRule = z.infer<typeof EarningRule>;
export type RuleOfType<T extends EarningRule["type"]> = Extract<EarningRule, { type: T }>;

/**
 * Tiers, expiry, stamp cards, caps and refunds, built twice from one definition as the rules are: read tolerantly
 * (a stored version must still load), written strictly at every depth (a dropped `perDAY` or `minAmmount` would put
 * a version live without that cap or condition).
 */
function programmePartSchemas(strict: boolean) {
  // Only what happens to an unknown key differs, so both builds have the same types.
  const object = (strict ? z.strictObject : z.object) as typeof z.object;
  const match = strict ? (LineMatch.strict() as unknown as typeof LineMatch) : LineMatch;

  const TierLevel = object({
    id: z.string().regex(/^[a-z0-9][a-z0-9_-]{0,31}$/),
    name: SafeText(1, 60),
    /** Qualifying value needed: points earned, spend in minor units, or order count. */
    threshold: z.number().int().nonnegative().max(1_000_000_000_000_000),
    benefits: object({
      /** Multiplies line points like a multiplier rule (gold earns 2 per €1 with factor 2). */
      earnMultiplier: z.number().positive().max(100).optional(),
      discountPercent: z.number().min(0).max(100).optional(),
      flags: z.array(SafeText(1, 40)).default([]),
      /** Bonus points once on reaching the tier. */
      rewardPoints: RewardPoints.optional(),
    }).default({ flags: [] }),
  });

  const TierProgramme = object({
    /** Points *earned* (never the spendable balance), spend, or number of orders. */
    basis: z.enum(["points_earned", "spend", "orders"]),
    window: z.enum(["lifetime", "calendar_year", "rolling_12_months"]),
    levels: z.array(TierLevel).min(1).max(20),
  })
    .refine((t) => t.levels.some((l) => l.threshold === 0), "one level must have threshold 0 (the entry tier)")
    .refine((t) => new Set(t.levels.map((l) => l.id)).size === t.levels.length, "tier ids must be unique");

  const ExpiryPolicy = z.discriminatedUnion("kind", [
    object({ kind: z.literal("none") }),
    /** Each lot expires N months after it was earned (computed once, at award). */
    object({
      kind: z.literal("after_earning"),
      months: z.number().int().min(1).max(120),
      noticeDays: z.number().int().min(0).max(90).default(14),
    }),
    /** All points expire after N months without a purchase; a purchase resets the clock. */
    object({
      kind: z.literal("inactivity"),
      months: z.number().int().min(1).max(120),
      noticeDays: z.number().int().min(0).max(90).default(14),
    }),
  ]);

  const StampCard = object({
    id: z.string().regex(/^[a-z0-9][a-z0-9_-]{0,63}$/),
    name: SafeText(1, 120),
    enabled: z.boolean().default(true),
    /** Stamps needed for the reward: "10th visit free" is 10. */
    stampsRequired: z.number().int().min(2).max(100),
    /** `visit`: one stamp per qualifying transaction; `item`: one per matching item bought. */
    per: z.enum(["visit", "item"]).default("visit"),
    match: match.optional(),
    minAmount: Amount.default(0),
    rewardPoints: RewardPoints.default(0),
  });

  const PointCaps = object({
    perTransaction: z.number().int().positive().max(MAX_POINTS_PER_TRANSACTION).optional(),
    perDay: z.number().int().positive().max(MAX_POINTS_PER_TRANSACTION).optional(),
  });

  /**
   * What a refund takes back besides the points earned on the refunded lines: the stamps the sale added
   * (and a card reward they completed), and a tier upgrade the sale caused (and its reward points).
   */
  const RefundPolicy = object({ stampCards: z.boolean().default(true), tierRewards: z.boolean().default(true) });

  return { TierLevel, TierProgramme, ExpiryPolicy, StampCard, PointCaps, RefundPolicy };
}

const readParts = programmePartSchemas(false);
export const { TierLevel, TierProgramme, ExpiryPolicy, StampCard, PointCaps, RefundPolicy } = readParts;
export type TierLevel = z.infer<typeof TierLevel>;
export type TierProgramme = z.infer<typeof TierProgramme>;
export type ExpiryPolicy = z.infer<typeof ExpiryPolicy>;
export type StampCard = z.infer<typeof StampCard>;

const writtenParts = programmePartSchemas(true);
/** Tiers as written through the API or a programme import: unknown keys are refused at any depth. */
export const TierProgrammeInput = writtenParts.TierProgramme;
/** An expiry policy as written: unknown keys are refused. */
export const ExpiryPolicyInput = writtenParts.ExpiryPolicy;
/** A stamp card as written: unknown keys are refused, in its match too. */
export const StampCardInput = writtenParts.StampCard;
/** Points caps as written: unknown keys are refused. */
export const PointCapsInput = writtenParts.PointCaps;

/** The document, tolerant or strict as its parts are. */
function programmeConfigSchema(strict: boolean) {
  const object = (strict ? z.strictObject : z.object) as typeof z.object;
  const parts = strict
    ? { ...writtenParts, rule: EarningRuleInput, redemption: RedemptionConfigInput, reward: RewardInput }
    : { ...readParts, rule: EarningRule, redemption: RedemptionConfig, reward: Reward };
  const document = object({
    rules: z.array(parts.rule).max(200).default([]),
    caps: parts.PointCaps.default({}),
    /** Earned points become spendable after this many days. */
    pendingDays: z.number().int().min(0).max(365).default(0),
    tiers: parts.TierProgramme.optional(),
    expiry: parts.ExpiryPolicy.default({ kind: "none" }),
    stampCards: z.array(parts.StampCard).max(20).default([]),
    refunds: parts.RefundPolicy.default({ stampCards: true, tierRewards: true }),
    /** Points' worth at checkout; without it points cannot be spent. */
    redemption: parts.redemption.optional(),
    /** Rewards priced in points, chosen at checkout. */
    rewards: z.array(parts.reward).max(200).default([]),
    /** Balance thresholds announced once per upward crossing ("You've reached 100 points"). */
    milestones: z.array(z.number().int().positive().max(MAX_POINTS_PER_TRANSACTION)).max(50).default([]),
  });
  // Only as written: a stored version that already has such a pair must still load, and its lots keep their dates.
  return strict ? document.superRefine(refusePointsExpiringWhilePending) : document;
}

/** The fewest days `months` of `after_earning` can last: a month from 31 January ends on 28 February. */
const SHORTEST_MONTH_DAYS = 28;

/**
 * An `after_earning` lot must outlive its pending period: one whose date came first would expire before it could ever
 * be spent. Named on both fields, so the form that changed either shows why.
 */
function refusePointsExpiringWhilePending(
  config: { pendingDays: number; expiry: { kind: string; months?: number } },
  ctx: z.RefinementCtx,
): void {
  const { pendingDays, expiry } = config;
  if (expiry.kind !== "after_earning" || expiry.months === undefined) return;
  const shortest = SHORTEST_MONTH_DAYS * expiry.months;
  if (shortest > pendingDays) return;
  const lost = "and points would expire before they could be spent";
  const asShortAs = `expiry.months ${expiry.months} can be as short as ${shortest} days`;
  ctx.addIssue({
    code: "custom",
    path: ["pendingDays"],
    message: `must be fewer than ${shortest} days: ${asShortAs}, ${lost}`,
  });
  ctx.addIssue({
    code: "custom",
    path: ["expiry", "months"],
    message: `must last longer than pendingDays (${pendingDays}): ${asShortAs}, ${lost}`,
  });
}

export const ProgrammeConfig = programmeConfigSchema(false);
export type ProgrammeConfig = z.infer<typeof ProgrammeConfig>;
/** A whole programme as written (a `programme set` file): unknown keys are refused at every depth. */
export const ProgrammeConfigInput = programmeConfigSchema(true);

export const defaultProgramme: ProgrammeConfig = ProgrammeConfig.parse({
  rules: [{ id: "base", name: "1 point per 1.00", type: "base_rate", pointsPerUnit: 1, unitMinor: 100 }],
});
