import type { BasketLine } from "@regulars/contracts";
import fc from "fast-check";
import type { CheckoutInput, KnownCoupon } from "../src/index.ts";
import { coupon, input, member, programme, seedProgramme } from "./fixtures.ts";

const SKUS = ["BURGER", "FRIES", "VEG-PUFF", "COLA", "FREEBIE"];
const matchArb = fc.record({
  skus: fc.subarray(SKUS, { minLength: 1, maxLength: 2 }),
  categories: fc.constant([]),
  tags: fc.constant([]),
});

export const lineArb: fc.Arbitrary<BasketLine> = fc
  .record({
    sku: fc.constantFrom(...SKUS),
    quantity: fc.integer({ min: 1, max: 5 }),
    unitPrice: fc.oneof(fc.integer({ min: 0, max: 3000 }), fc.integer({ min: 0, max: 1_000_000_000 })),
    discountShare: fc.double({ min: 0, max: 1, noNaN: true }),
  })
  .map(({ sku, quantity, unitPrice, discountShare }) => ({
    sku,
    name: sku,
    tags: [],
    quantity,
    unitPrice,
    // Some lines carry the terminal's own discount, up to half their price.
    discount: Math.floor(quantity * unitPrice * discountShare * 0.5),
  }));

export const linesArb = fc.array(lineArb, { minLength: 1, maxLength: 6 });

/** Percents with up to two decimals, as an admin would type them. */
export const percentArb = fc.integer({ min: 1, max: 10_000 }).map((n) => n / 100);

export const benefitArb = fc.oneof(
  fc.record(
    {
      kind: fc.constant("percent_off"),
      percent: percentArb,
      match: matchArb,
      maxAmount: fc.integer({ min: 1, max: 5000 }),
    },
    { requiredKeys: ["kind", "percent"] },
  ),
  fc.record(
    { kind: fc.constant("fixed_off"), amount: fc.integer({ min: 1, max: 5000 }), match: matchArb },
    {
      requiredKeys: ["kind", "amount"],
    },
  ),
  fc.record({ kind: fc.constant("free_item"), match: matchArb, quantity: fc.integer({ min: 1, max: 4 }) }),
  fc.record({ kind: fc.constant("bonus_points"), points: fc.integer({ min: 1, max: 500 }) }),
  fc.record({ kind: fc.constant("wallet_cash"), amount: fc.integer({ min: 1, max: 500 }) }),
);

const couponArb = (code: string): fc.Arbitrary<KnownCoupon> =>
  fc
    .record({
      benefit: benefitArb,
      exclusive: fc.boolean(),
      group: fc.option(fc.constantFrom("g1", "g2"), { nil: undefined }),
      budget: fc.option(fc.integer({ min: 1, max: 3000 }), { nil: undefined }),
      budgetSpent: fc.integer({ min: 0, max: 3000 }),
      inWallet: fc.boolean(),
    })
    .map((c) =>
      coupon(
        code,
        { benefit: c.benefit, stacking: { exclusive: c.exclusive, group: c.group }, limits: { budget: c.budget } },
        { inWallet: c.inWallet, usage: { total: 0, customer: 0, code: 0, today: 0, budgetSpent: c.budgetSpent } },
      ),
    );

const CODES = ["AAA", "BBB", "CCC", "DDD"];

export const checkoutArb: fc.Arbitrary<CheckoutInput> = fc
  .record({
    lines: linesArb,
    coupons: fc.tuple(...CODES.map(couponArb)),
    typed: fc.array(fc.constantFrom(...CODES, "ZZZ"), { maxLength: 4 }),
    rewardIds: fc.array(fc.constantFrom("veg-puff", "thirty-off", "nope"), { maxLength: 3 }),
    customer: fc.option(
      fc.record({
        tier: fc.constantFrom("bronze", "silver", null),
        points: fc.integer({ min: 0, max: 2000 }),
        heldPoints: fc.integer({ min: 0, max: 500 }),
        wallet: fc.integer({ min: 0, max: 5000 }),
        heldWallet: fc.integer({ min: 0, max: 1000 }),
      }),
      { nil: null },
    ),
    points: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 400 })),
    wallet: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 3000 })),
    step: fc.constantFrom(1, 10, 25),
  })
  .map((r) => {
    const base = input({
      customer: r.customer === null ? null : member(r.customer),
      programme: programme({ ...seedProgramme, redemption: { ...seedProgramme.redemption, step: r.step } }),
      coupons: r.coupons,
      selection: { couponCodes: r.typed, rewardIds: r.rewardIds, points: r.points, wallet: r.wallet },
    });
    return { ...base, basket: { ...base.basket, lines: r.lines } };
  });
