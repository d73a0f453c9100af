import { z } from "zod";
import { Money, Reward } from "./checkout-config.ts";
import { CouponCode } from "./coupon-code.ts";
import { Channel, CurrencyCode, CustomerRef, LocationId } from "./primitives.ts";
import { discountWithinPrice, TransactionLineFields } from "./transaction.ts";

/**
 * Checkout: what a customer can spend (coupons, rewards, points, wallet cash) and how a basket is priced
 * with it. A quote prices a basket; a hold reserves what the quote chose until the sale that uses it
 * commits it in the ledger, or it is voided or expires.
 */

// What admins configure, kept apart; re-exported here, where checkout has always exported it.
export {
  Benefit,
  CODE_ALPHABET,
  CodePattern,
  CouponCampaignConfig,
  CouponCampaignConfigInput,
  CouponCampaignStatus,
  CouponCodes,
  CouponConditions,
  CouponLimits,
  RedeemableCodePattern,
  RedemptionConfig,
  RedemptionConfigInput,
  Reward,
  RewardInput,
  Stacking,
} from "./checkout-config.ts";

/**
 * Why something cannot be used on this basket, each code with what it means to an integrator: the one list
 * of codes, so none goes undocumented. `message` says it for people.
 */
const refusalMeanings = {
  unknown_code: "no coupon campaign of yours has this code.",
  another_customers_coupon:
    "the code was issued into another customer's wallet, and only they may use it (a guest's basket gets " +
    "`customer_required` instead: identify the customer to use it).",
  paused: "the coupon's campaign is paused.",
  not_yet_valid: "the coupon is not valid before its campaign's `validFrom`.",
  expired: "the coupon's campaign ended (`validTo` has passed).",
  wrong_location: "the coupon is for other locations than `basket.locationId`.",
  wrong_channel: "the coupon is for other channels than `basket.channel`.",
  wrong_day: "the coupon is for other weekdays (local time).",
  wrong_time: "the coupon is for other hours of the day (local wall clock).",
  wrong_tier: "the coupon is for members of other tiers.",
  limit_reached: "the coupon's campaign has been used as often as it may be (holds in force count).",
  customer_limit_reached: "this customer has used the coupon's campaign as often as they may.",
  code_used_up: "this very code has been used as often as it may be (by default once for a unique or imported code).",
  daily_limit_reached: "the coupon's campaign has been used as often as it may be today (local calendar day).",
  budget_exhausted: "the money the coupon's campaign may give away is spent.",
  below_minimum_basket: "the basket's `subtotal` is below the coupon's minimum basket.",
  no_matching_items: "no basket line is one the coupon or reward requires or discounts.",
  not_combinable:
    "the coupon cannot stack with a coupon applied before it (exclusive, or the same stacking group), or its " +
    "code is typed twice.",
  customer_required:
    "it needs an identified customer: rewards, points, wallet cash, and coupons limited by tier or per customer.",
  not_enough_points: "the reward or the points cost more than the spendable points left after the rewards before it.",
  below_minimum_points: "fewer points than the fewest one redemption may spend (`points.minPoints`).",
  not_a_step: "points are spent in multiples of `points.step`, and this is not one.",
  max_discount_reached: "these points are worth more than points may take off one order.",
  points_not_redeemable: "the programme does not let customers spend points.",
  not_enough_wallet: "more wallet cash than the customer has, less what their other holds reserve.",
  unknown_reward: "no reward with this id is in the catalog, or it is disabled.",
  nothing_to_discount:
    "it would take nothing off (what it applies to is paid already), the points or wallet cash exceed what is " +
    "left to pay, or the points are worth less than one minor unit.",
} as const;
type RefusalCodes = keyof typeof refusalMeanings;

export const RefusalCode = z.enum(Object.keys(refusalMeanings) as [RefusalCodes, ...RefusalCodes[]]).meta({
  id: "RefusalCode",
  description:
    "Why something cannot be used on this basket, for programs to act on (show `message` to people). A coupon's " +
    "checks run in the order listed from `unknown_code` to `not_combinable`, then `nothing_to_discount`; the " +
    "first that fails is the refusal.\n\n" +
    Object.entries(refusalMeanings)
      .map(([code, meaning]) => `- \`${code}\`: ${meaning}`)
      .join("\n"),
});
export type RefusalCode = z.infer<typeof RefusalCode>;

export const Refusal = z
  .object({
    code: RefusalCode,
    message: z.string().meta({
      description:
        "The reason in English for the cashier or the customer, with the specifics when known " +
        '("Spend at least 50 points at a time."). Its wording may change: decide on `code`.',
    }),
  })
  .meta({ description: "Why it cannot be used: a stable `code` for programs and a `message` for people." });
export type Refusal = z.infer<typeof Refusal>;

/**
 * A basket line as the terminal shows it before checkout (its own discounts, if any, already in). Unknown fields are
 * refused, as on a sale's line (`TransactionLine`): a misspelt field, dropped, would price a basket other than the one
 * the terminal meant, and the sale posted with the same lines is refused for it anyway.
 */
export const BasketLine = z
  .strictObject(TransactionLineFields.omit({ lineNo: true }).shape)
  .superRefine(discountWithinPrice)
  .meta({
    id: "BasketLine",
    description:
      "One line of the basket, as the sale will post it: its position in `lines`, counted from 0, is its `lineNo`. " +
      "Its `discount` is the terminal's own, if any; what Regulars takes off comes back in the quote's `lines`. " +
      "Other fields are refused.",
  });
export type BasketLine = z.infer<typeof BasketLine>;

export const Basket = z
  .object({
    locationId: LocationId.meta({
      description: "Your id of the store the basket is paid at; coupons limited to locations check it.",
      examples: ["store-017"],
    }),
    channel: Channel.meta({
      description:
        "Where the customer is ordering; coupons limited to channels check it. The key bounds it as a sale's: a kiosk " +
        "key `kiosk` only, a pos key `pos`, `app`, `web` or `delivery` (else 403 `channel_not_allowed`).",
    }),
    currency: CurrencyCode.meta({
      description: "ISO 4217 code of the basket's prices: the tenant's currency, which the sale must be posted in.",
    }),
    lines: z
      .array(BasketLine)
      .min(1, "a basket needs at least one line")
      .max(500)
      .meta({
        description:
          "The basket's lines, 1 to 500, in receipt order (the first is `lineNo` 0). Post the sale with the same " +
          "lines in the same order, each with the quote's `discount` for it.",
      }),
  })
  .meta({
    id: "Basket",
    description: "What is being bought, where and how, before anything Regulars takes off.",
  });
export type Basket = z.infer<typeof Basket>;

/** What the customer asks to spend; everything is optional, a bare quote lists what could be used. */
export const CheckoutSelection = z.object({
  couponCodes: z
    .array(CouponCode)
    .max(20)
    .default([])
    .meta({
      description:
        "Coupon codes the customer typed, up to 20, applied in this order after the tier discount, each on what the " +
        "ones before it left. Case does not matter; a code typed twice is refused `not_combinable` the second time.",
      examples: [["WELCOME-7KQ4MWPR"]],
    }),
  rewardIds: z
    .array(Reward.shape.id)
    .max(20)
    .default([])
    .meta({
      description:
        "Catalog rewards the customer chose, by id, up to 20, applied in this order after the coupons; each costs " +
        "its `points`. An id chosen twice applies twice, if the points allow.",
      examples: [["veg-puff"]],
    }),
  points: z
    .number()
    .int()
    .nonnegative()
    .max(1_000_000_000_000)
    .default(0)
    .meta({
      description:
        "Points to spend, applied after the rewards: a multiple of the quote's `points.step`, at least its " +
        "`points.minPoints`; its `points.maxUsable` for the same basket and selection is always accepted. They take " +
        "off their value in minor units, rounded down. 0 (the default) spends none.",
      examples: [150],
    }),
  wallet: Money.default(0).meta({
    description:
      "Wallet cash to spend, in minor units (cents), applied last: at most the customer's wallet less their other " +
      "holds, and at most what is left to pay. 0 (the default) spends none.",
    examples: [0],
  }),
});
export type CheckoutSelection = z.infer<typeof CheckoutSelection>;

export const QuoteRequest = z
  .object({
    customer: CustomerRef.nullish().meta({
      description:
        "Who is paying, by exactly one identity. Omit it (or send null) for an anonymous basket: no tier discount, " +
        "and rewards, points, wallet cash and coupons limited by tier or per customer are refused " +
        "`customer_required`. " +
        "An identity no customer has is 404 `not_found`: checkout never enrols.",
    }),
    basket: Basket,
  })
  .extend(CheckoutSelection.shape)
  .meta({
    id: "QuoteRequest",
    description:
      "A basket to price and what the customer wants to spend on it. Applied in this order, each on what the ones " +
      "before it left of each line: the tier discount (automatic), `couponCodes`, `rewardIds`, `points`, `wallet`. " +
      "Selecting nothing lists what the customer could use.",
  });
export type QuoteRequest = z.infer<typeof QuoteRequest>;

export const HoldRequest = QuoteRequest.extend({
  customer: CustomerRef.nullish().meta({
    description:
      "Who is paying, by exactly one identity. Omit it (or send null) for a guest's basket: the hold then reserves " +
      "coupon uses only, against the campaigns' total, per-code and daily limits (points, wallet cash, rewards and " +
      "coupons limited by tier or per customer are refused `customer_required`). An unknown identity is 404 `not_found`.",
  }),
  ttlSeconds: z
    .number()
    .int()
    .min(30)
    .max(86_400)
    .default(900)
    .meta({
      description:
        "How long the hold lasts unless the sale posted with its `holdId` commits it or it is voided: 30 to 86400 " +
        "seconds, default 900 (15 minutes). Then what it reserved is free again.",
      examples: [600],
    }),
}).meta({
  id: "HoldRequest",
  description:
    "A quote's request to reserve: the coupon uses, points and wallet cash it selects are held for this customer " +
    "(coupon uses only for a guest), all or nothing, until the sale commits them or the hold is voided or expires.",
});
export type HoldRequest = z.infer<typeof HoldRequest>;

/** An integer a quote reports: its description says the unit and the rule. */
const reported = (description: string, ...examples: number[]) =>
  z
    .number()
    .int()
    .meta(examples.length ? { description, examples } : { description });

const LineNo = reported("The basket line, by its 0-based position in `basket.lines`.");

/** One benefit applied to the basket, and how much of it each line carries. */
export const AppliedBenefit = z
  .object({
    source: z.enum(["tier", "coupon", "reward", "points", "wallet"]).meta({
      description:
        "What gave it: `tier` (the customer's tier discount, automatic), `coupon`, `reward`, `points` or " +
        "`wallet` (wallet cash).",
    }),
    ref: z
      .string()
      .nullable()
      .meta({
        description: "The coupon code (upper case), the reward id or the tier id; null for points and wallet cash.",
        examples: ["WELCOME-7KQ4"],
      }),
    name: z.string().meta({
      description: "A name for the receipt: the campaign's, the reward's or the tier's, or `Points` / `Wallet cash`.",
    }),
    amount: reported(
      "Money off, in minor units (cents): the sum of `lines[].amount`. 0 for a coupon that credits bonus points or " +
        "wallet cash.",
      750,
    ),
    points: reported(
      "Points: spent, as a positive number (a reward's price, or the points redeemed); credited when the sale " +
        "commits, as a negative number (a `bonus_points` coupon); otherwise 0.",
    ),
    wallet: reported(
      "Wallet cash in minor units: spent, as a positive number; credited when the sale commits, as a negative " +
        "number (a `wallet_cash` coupon); otherwise 0.",
    ),
    lines: z
      .array(z.object({ lineNo: LineNo, amount: reported("What this takes off that line, in minor units; above 0.") }))
      .meta({
        description:
          "How `amount` is spread over the lines: only the lines it takes something off, in proportion to what was " +
          "left of each, in whole minor units (largest remainder). Empty for credits.",
      }),
  })
  .meta({
    id: "AppliedBenefit",
    description:
      "One thing applied to the basket: money off, points or wallet cash spent, or a credit the sale commits later.",
  });
export type AppliedBenefit = z.infer<typeof AppliedBenefit>;

const nullWhenUsable = (what: string) =>
  Refusal.nullable().meta({ description: `Why ${what} cannot be used on this basket; null when it can.` });

export const Option = z.object({
  applicable: z.boolean().meta({
    description:
      "Selected: it was applied (see `applied`). Not selected: it would apply if selected, judged alone on this " +
      "basket.",
  }),
  refusal: nullWhenUsable("it"),
});

export const Quote = z
  .object({
    currency: z.string().meta({ description: "The basket's ISO 4217 currency: every amount is in its minor units." }),
    subtotal: reported(
      "Σ (quantity × unitPrice − discount) over the basket's lines, in minor units: after the terminal's own " +
        "discounts, before anything Regulars takes off.",
      3000,
    ),
    total: reported("What the customer pays, in minor units; never below zero. Post it as the sale's `total`.", 2250),
    discount: reported(
      "`subtotal − total`, in minor units: everything Regulars took off (tier, coupons, rewards, points, wallet " +
        "cash), not the terminal's own discounts.",
      750,
    ),
    applied: z.array(AppliedBenefit).meta({
      description:
        "What applied, in order: the tier discount, coupons as typed, rewards as chosen, points, wallet cash. A " +
        "refused selection is not here: see its `refusal`.",
    }),
    lines: z
      .array(
        z.object({
          lineNo: LineNo,
          sku: z.string().meta({
            description: "The basket line's `sku`: a sale naming a hold placed with this quote must post the same.",
            examples: ["FRIES-L"],
          }),
          quantity: z.number().int().meta({ description: "The basket line's `quantity`, as the sale must post it." }),
          discount: reported(
            "The discount to post as the line's `discount` on the sale, in minor units: its own plus all Regulars " +
              "took off it.",
          ),
          amount: reported(
            "What is left to pay for the line, in minor units: quantity × unitPrice − `discount`, never below zero.",
          ),
        }),
      )
      .meta({ description: "One entry per basket line, in basket order: what to post on the sale's lines." }),
    coupons: z
      .array(
        Option.extend({
          code: z.string().meta({ description: "The coupon code, upper case.", examples: ["WELCOME-7KQ4"] }),
          campaignId: z.string().nullable().meta({ description: "The coupon's campaign; null for an unknown code." }),
          name: z.string().nullable().meta({ description: "The campaign's name to show; null for an unknown code." }),
          selected: z.boolean().meta({
            description: "True for a code in the request's `couponCodes`; false for a wallet coupon not typed.",
          }),
          inWallet: z.boolean().meta({
            description: "True when the coupon was issued into this customer's wallet: offered without typing it.",
          }),
        }),
      )
      .meta({
        description:
          "The typed codes first, one entry per code typed, in order, with their outcome; then every other coupon " +
          "in the customer's wallet (`selected: false`).",
      }),
    rewards: z
      .array(
        Option.extend({
          id: z.string().meta({ description: "The reward's id: choose it with `rewardIds`.", examples: ["veg-puff"] }),
          name: z.string().meta({ description: "The reward's name to show; its id when unknown or disabled." }),
          points: reported("What it costs in points; 0 when unknown or disabled.", 20),
          selected: z.boolean().meta({ description: "True for an id in the request's `rewardIds`." }),
        }),
      )
      .meta({
        description:
          "The chosen rewards first, one entry per id chosen, in order, with their outcome; then every other " +
          "enabled reward in catalog order (`selected: false`), judged with all the spendable points.",
      }),
    points: z
      .object({
        balance: reported("The customer's points (pending ones not counted); 0 without a customer."),
        held: reported("Points the customer's other holds in force reserve."),
        spendable: reported("`balance − held`, never below zero: points spendable now."),
        minPoints: reported("The fewest points one redemption may spend; 0 for no minimum."),
        step: reported("Points are spent in multiples of this; 1 for any number."),
        maxUsable: reported(
          "The most points this basket can take: the largest multiple of `step` within the points the rewards left, " +
            "the most points may take off one order and what is left to pay. 0 when that is below `minPoints`, worth " +
            "nothing, or points cannot be spent. Asking for exactly this is accepted.",
          200,
        ),
        requested: reported("The points the request asked to spend (its `points`)."),
        applied: reported("The points spent: `requested`, or 0 when refused."),
        value: reported(
          "Money the applied points take off, in minor units: points × the programme's rate, rounded down (at 100 " +
            "points = 500, 150 points take 750).",
          750,
        ),
        refusal: nullWhenUsable("the requested points"),
      })
      .meta({ description: "The customer's points and what spending them does on this basket." }),
    wallet: z
      .object({
        balance: reported("The customer's wallet cash, in minor units; 0 without a customer."),
        held: reported("Wallet cash the customer's other holds in force reserve, minor units."),
        requested: reported("Wallet cash the request asked to spend (its `wallet`), minor units."),
        applied: reported("Wallet cash spent, minor units: `requested`, or 0 when refused."),
        refusal: nullWhenUsable("the requested wallet cash"),
      })
      .meta({ description: "The customer's wallet cash and what spending it does on this basket." }),
  })
  .meta({
    id: "Quote",
    description:
      "A priced basket: what the customer pays, what took it there, and what else they could use, with the reason " +
      "when they cannot. Post the sale with `total` and each line's `discount` from `lines`. It reserves nothing: a " +
      "hold does.",
  });
export type Quote = z.infer<typeof Quote>;
