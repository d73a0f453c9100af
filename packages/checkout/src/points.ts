import type { RedemptionConfig, Refusal } from "@regulars/contracts";
import { formatMoney, refusal } from "./refusals.ts";
import type { CheckoutCustomer } from "./types.ts";

/**
 * Points and wallet cash spent at checkout. Products go through BigInt: 10^12 points × a value of
 * 10^12 would lose exactness in floating point.
 */

type Rate = Pick<RedemptionConfig, "points" | "value">;

/** Money `p` points take off: floor(p × value / points). 150 points at 100 = €5 → 750. */
export const pointsValue = (p: number, rate: Rate): number =>
  Number((BigInt(p) * BigInt(rate.value)) / BigInt(rate.points));

/** The points worth at most `money`: floor(money × points / value). */
export const pointsWorth = (money: number, rate: Rate): number =>
  Number((BigInt(money) * BigInt(rate.points)) / BigInt(rate.value));

/**
 * What the customer can spend now, never below 0: their points less what other holds reserve or the expiry is due to
 * take, whichever is more. A hold spends the oldest points first, those due to expire among them, and the expiry takes
 * the rest of those due once the holds end: the points left to spend are the balance less the larger of the two.
 */
export const spendablePoints = (c: CheckoutCustomer | null): number =>
  c === null ? 0 : Math.max(0, c.points - Math.max(c.heldPoints, c.duePoints ?? 0));
export const spendableWallet = (c: CheckoutCustomer | null): number =>
  c === null ? 0 : Math.max(0, c.wallet - c.heldWallet);

export interface PointsLimits {
  /** Spendable points the rewards left. */
  available: number;
  /** What is left to pay once the rewards are applied. */
  toPay: number;
}

/**
 * The most points this basket can take: the largest multiple of the step within the points available,
 * the order's maximum discount and what is left to pay; 0 below the minimum or when it is worth nothing.
 */
export function maxUsablePoints(r: RedemptionConfig, limits: PointsLimits): number {
  let cap = Math.min(limits.available, pointsWorth(limits.toPay, r));
  if (r.maxDiscountPerOrder !== undefined) cap = Math.min(cap, pointsWorth(r.maxDiscountPerOrder, r));
  const usable = Math.floor(cap / r.step) * r.step;
  return usable < r.minPoints || pointsValue(usable, r) === 0 ? 0 : usable;
}

/** Why `p` points cannot be spent, checked in this order, or null. */
export function pointsRefusal(
  p: number,
  redemption: RedemptionConfig | undefined,
  customer: CheckoutCustomer | null,
  limits: PointsLimits,
  currency: string,
): Refusal | null {
  if (redemption === undefined) return refusal("points_not_redeemable");
  if (customer === null) return refusal("customer_required");
  if (p < redemption.minPoints)
    return refusal("below_minimum_points", `Spend at least ${redemption.minPoints} points at a time.`);
  if (p % redemption.step !== 0) return refusal("not_a_step", `Points are spent in steps of ${redemption.step}.`);
  if (p > limits.available)
    return refusal("not_enough_points", `${p} points asked for; ${limits.available} are available.`);
  const value = pointsValue(p, redemption);
  if (redemption.maxDiscountPerOrder !== undefined && value > redemption.maxDiscountPerOrder)
    return refusal(
      "max_discount_reached",
      `Points may take at most ${formatMoney(redemption.maxDiscountPerOrder, currency)} off an order.`,
    );
  if (value > limits.toPay)
    return refusal("nothing_to_discount", `Only ${formatMoney(limits.toPay, currency)} is left to pay.`);
  // Spending points that take nothing off would lose them for nothing.
  if (value === 0) return refusal("nothing_to_discount", "These points are worth less than the smallest coin.");
  return null;
}

/** Why `w` of wallet cash cannot be spent, or null. */
export function walletRefusal(
  w: number,
  customer: CheckoutCustomer | null,
  toPay: number,
  currency: string,
): Refusal | null {
  if (customer === null) return refusal("customer_required");
  const available = spendableWallet(customer);
  if (w > available)
    return refusal("not_enough_wallet", `Only ${formatMoney(available, currency)} of wallet cash is available.`);
  if (w > toPay) return refusal("nothing_to_discount", `Only ${formatMoney(toPay, currency)} is left to pay.`);
  return null;
}
