import type { AppliedBenefit, Quote } from "@regulars/contracts";
import { partsByLine, subtractParts, sum } from "./allocate.ts";
import { addBasketUse, noBasketUses, withBasketUses } from "./basket-uses.ts";
import { discountParts } from "./benefits.ts";
import { normalizeCode } from "./codes.ts";
import type { Outcome, PricingContext } from "./context.ts";
import { budgetLeft, type CouponStack, couponRefusal, emptyStack, stackingRefusal } from "./coupon-checks.ts";
import { refusal } from "./refusals.ts";
import type { KnownCoupon } from "./types.ts";

type CouponOption = Quote["coupons"][number];

/**
 * One coupon on what is left of the lines. With a stack it is checked against the coupons selected
 * before it; without one it is judged alone (how a wallet coupon nobody typed is shown).
 */
export function applyCoupon(
  coupon: KnownCoupon,
  ctx: PricingContext,
  left: readonly number[],
  stack: CouponStack | null,
): Outcome {
  const code = normalizeCode(coupon.code);
  if (stack?.codes.includes(code)) return { refusal: refusal("not_combinable", "This code is already selected.") };
  const refused = couponRefusal(coupon, ctx);
  if (refused !== null) return { refusal: refused };
  const { config } = coupon.campaign!;
  const stacking = stack === null ? null : stackingRefusal(config, stack);
  if (stacking !== null) return { refusal: stacking };

  const base: AppliedBenefit = {
    source: "coupon",
    ref: code,
    name: config.name,
    amount: 0,
    points: 0,
    wallet: 0,
    lines: [],
  };
  const benefit = config.benefit;
  // Points and wallet cash are credited to someone: an anonymous basket cannot take them.
  if ((benefit.kind === "bonus_points" || benefit.kind === "wallet_cash") && ctx.customer === null)
    return { refusal: refusal("customer_required") };
  if (benefit.kind === "bonus_points") return { benefit: { ...base, points: -benefit.points }, parts: [] };
  if (benefit.kind === "wallet_cash") return { benefit: { ...base, wallet: -benefit.amount }, parts: [] };
  const parts = discountParts(benefit, ctx.basket.lines, left, budgetLeft(config, coupon.usage.budgetSpent));
  const amount = sum(parts);
  if (amount === 0) return { refusal: refusal("nothing_to_discount") };
  return { benefit: { ...base, amount, lines: partsByLine(parts) }, parts };
}

const option = (coupon: KnownCoupon, outcome: Outcome, selected: boolean): CouponOption => ({
  code: normalizeCode(coupon.code),
  campaignId: coupon.campaign?.id ?? null,
  name: coupon.campaign?.config.name ?? null,
  selected,
  inWallet: coupon.inWallet,
  applicable: !("refusal" in outcome),
  refusal: "refusal" in outcome ? outcome.refusal : null,
});

const unknownCoupon = (code: string): KnownCoupon => ({
  code,
  campaign: null,
  usage: { total: 0, customer: 0, code: 0, today: 0, budgetSpent: 0 },
  inWallet: false,
});

/**
 * The typed codes in order, each on what the ones before it left and against its campaign's limits with
 * the uses they took, stacked after `stackedOn` (coupons on the basket already), then every other known coupon
 * judged alone on `leftBefore` (the basket as the coupons found it).
 */
export function applyCoupons(
  known: readonly KnownCoupon[],
  typed: readonly string[],
  ctx: PricingContext,
  leftBefore: readonly number[],
  stackedOn: CouponStack = emptyStack(),
): { options: CouponOption[]; applied: AppliedBenefit[]; left: number[] } {
  const byCode = new Map<string, KnownCoupon>();
  for (const k of known) if (!byCode.has(normalizeCode(k.code))) byCode.set(normalizeCode(k.code), k);
  const stack: CouponStack = { codes: [...stackedOn.codes], applied: [...stackedOn.applied] };
  const taken = noBasketUses();
  const options: CouponOption[] = [];
  const applied: AppliedBenefit[] = [];
  let left = [...leftBefore];
  for (const raw of typed) {
    const code = normalizeCode(raw);
    const coupon = byCode.get(code) ?? unknownCoupon(code);
    const outcome = applyCoupon(withBasketUses(coupon, code, taken), ctx, left, stack);
    stack.codes.push(code);
    if ("benefit" in outcome) {
      const { id, config } = coupon.campaign!;
      stack.applied.push({ exclusive: config.stacking.exclusive, group: config.stacking.group });
      addBasketUse(taken, id, code, outcome.benefit.amount);
      applied.push(outcome.benefit);
      if (outcome.parts.length > 0) left = subtractParts(left, outcome.parts);
    }
    options.push(option(coupon, outcome, true));
  }
  const typedCodes = new Set(stack.codes);
  for (const coupon of known) {
    if (typedCodes.has(normalizeCode(coupon.code))) continue;
    options.push(option(coupon, applyCoupon(coupon, ctx, leftBefore, null), false));
  }
  return { options, applied, left };
}
