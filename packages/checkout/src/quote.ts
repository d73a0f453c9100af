import type { AppliedBenefit, Quote } from "@regulars/contracts";
import { tierOrEntry } from "@regulars/rules";
import { allocate, lineAmounts, partsByLine, subtractParts, sum } from "./allocate.ts";
import type { PricingContext } from "./context.ts";
import { applyCoupons } from "./coupons.ts";
import { maxUsablePoints, pointsRefusal, pointsValue, spendablePoints, walletRefusal } from "./points.ts";
import { applyRewards } from "./rewards.ts";
import { tierDiscount } from "./tier.ts";
import type { CheckoutInput } from "./types.ts";

/** Money off spread over what is left of every line (points and wallet cash pay for anything). */
function moneyOff(
  source: "points" | "wallet",
  amount: number,
  left: readonly number[],
  spent: { points: number; wallet: number },
): { benefit: AppliedBenefit; parts: number[] } {
  const parts = allocate(amount, left);
  const name = source === "points" ? "Points" : "Wallet cash";
  return { benefit: { source, ref: null, name, amount, ...spent, lines: partsByLine(parts) }, parts };
}

/**
 * Prices a basket with what the customer selected, in a fixed order: the tier's discount, the coupons
 * as typed, the rewards as chosen, points, then wallet cash. Each works on what the ones before it left
 * of each line. A refused selection is reported and skipped; everything else is still priced.
 */
export function priceCheckout(input: CheckoutInput): Quote {
  const { basket, selection, customer, programme } = input;
  const amounts = lineAmounts(basket.lines);
  const subtotal = sum(amounts);
  // A member not placed in a tier yet holds the entry level, for the tier discount and coupons as for earning.
  const member = customer && { ...customer, tier: tierOrEntry(programme?.tiers, customer.tier) };
  const ctx: PricingContext = { basket, subtotal, at: input.at, timezone: input.timezone, customer: member };
  const applied: AppliedBenefit[] = [];
  let left = amounts;

  const tier = tierDiscount(programme, member, basket.lines, left);
  if (tier !== null) {
    applied.push(tier.benefit);
    left = subtractParts(left, tier.parts);
  }

  const coupons = applyCoupons(input.coupons, selection.couponCodes, ctx, left, input.stackedOn);
  applied.push(...coupons.applied);
  left = coupons.left;

  const spendable = spendablePoints(customer);
  const rewards = applyRewards(programme, selection.rewardIds, ctx, left, spendable);
  applied.push(...rewards.applied);
  left = rewards.left;

  const redemption = programme?.redemption;
  const limits = { available: spendable - rewards.points, toPay: sum(left) };
  const maxUsable = redemption !== undefined && customer !== null ? maxUsablePoints(redemption, limits) : 0;
  const p = selection.points;
  const pointsRefused = p > 0 ? pointsRefusal(p, redemption, customer, limits, basket.currency) : null;
  const pointsApplied = p > 0 && pointsRefused === null ? p : 0;
  const pointsMoney = pointsApplied > 0 ? pointsValue(pointsApplied, redemption!) : 0;
  if (pointsApplied > 0) {
    const spent = moneyOff("points", pointsMoney, left, { points: pointsApplied, wallet: 0 });
    applied.push(spent.benefit);
    left = subtractParts(left, spent.parts);
  }

  const w = selection.wallet;
  const walletRefused = w > 0 ? walletRefusal(w, customer, sum(left), basket.currency) : null;
  const walletApplied = w > 0 && walletRefused === null ? w : 0;
  if (walletApplied > 0) {
    const spent = moneyOff("wallet", walletApplied, left, { points: 0, wallet: walletApplied });
    applied.push(spent.benefit);
    left = subtractParts(left, spent.parts);
  }

  const total = sum(left);
  return {
    currency: basket.currency,
    subtotal,
    total,
    discount: subtotal - total,
    applied,
    lines: basket.lines.map((line, lineNo) => ({
      lineNo,
      sku: line.sku,
      quantity: line.quantity,
      discount: line.discount + amounts[lineNo]! - left[lineNo]!,
      amount: left[lineNo]!,
    })),
    coupons: coupons.options,
    rewards: rewards.options,
    points: {
      balance: customer?.points ?? 0,
      held: customer?.heldPoints ?? 0,
      spendable,
      minPoints: redemption?.minPoints ?? 0,
      step: redemption?.step ?? 1,
      maxUsable,
      requested: p,
      applied: pointsApplied,
      value: pointsMoney,
      refusal: pointsRefused,
    },
    wallet: {
      balance: customer?.wallet ?? 0,
      held: customer?.heldWallet ?? 0,
      requested: w,
      applied: walletApplied,
      refusal: walletRefused,
    },
  };
}
