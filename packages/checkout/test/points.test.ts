import { RedemptionConfig } from "@regulars/contracts";
import { describe, expect, it } from "vitest";
import {
  maxUsablePoints,
  pointsRefusal,
  pointsValue,
  pointsWorth,
  spendablePoints,
  spendableWallet,
  walletRefusal,
} from "../src/index.ts";
import { member } from "./fixtures.ts";

/** The seeds' rate: 100 points = €5, at least 50 points, at most €10 off per order. */
const seeds = RedemptionConfig.parse({ points: 100, value: 500, minPoints: 50, maxDiscountPerOrder: 1000 });
const rich = member({ points: 10_000 });
const refused = (p: number, limits = { available: 10_000, toPay: 3000 }) =>
  pointsRefusal(p, seeds, rich, limits, "EUR")?.code ?? null;

describe("points maths", () => {
  it("value(p) = floor(p × value / points); worth(m) = floor(m × points / value)", () => {
    expect(pointsValue(150, seeds)).toBe(750);
    expect(pointsValue(1, { points: 3, value: 2 })).toBe(0);
    expect(pointsValue(5, { points: 3, value: 2 })).toBe(3);
    expect(pointsWorth(1000, seeds)).toBe(200);
    expect(pointsWorth(999, seeds)).toBe(199);
    expect(pointsValue(1_000_000_000_000, { points: 1, value: 1_000_000_000_000 })).toBe(1e24);
  });

  it("spendable = balance − held, never below 0; anonymous has none", () => {
    expect(spendablePoints(member({ points: 120, heldPoints: 20 }))).toBe(100);
    expect(spendablePoints(member({ points: 10, heldPoints: 20 }))).toBe(0);
    expect(spendablePoints(null)).toBe(0);
    expect(spendableWallet(member({ wallet: 500, heldWallet: 200 }))).toBe(300);
    expect(spendableWallet(member({ wallet: 100, heldWallet: 200 }))).toBe(0);
  });

  it("spendable = balance − the larger of held and due to expire: a hold may not spend points past their date", () => {
    expect(spendablePoints(member({ points: 400, heldPoints: 50, duePoints: 300 }))).toBe(100);
    expect(spendablePoints(member({ points: 400, heldPoints: 350, duePoints: 300 }))).toBe(50);
    expect(spendablePoints(member({ points: 300, heldPoints: 50, duePoints: 300 }))).toBe(0);
    expect(spendablePoints(member({ points: 300, heldPoints: 0, duePoints: 0 }))).toBe(300);
  });
});

describe("pointsRefusal: the seeds' rate", () => {
  it("150 points on a €30 basket take €7.50 off; 300 points pass the €10 maximum; 40 are below the minimum", () => {
    expect(refused(150)).toBeNull();
    expect(pointsValue(150, seeds)).toBe(750);
    expect(refused(300)).toBe("max_discount_reached");
    expect(pointsRefusal(300, seeds, rich, { available: 10_000, toPay: 3000 }, "EUR")?.message).toBe(
      "Points may take at most €10.00 off an order.",
    );
    expect(refused(200)).toBeNull();
    expect(refused(40)).toBe("below_minimum_points");
    expect(refused(50)).toBeNull();
  });

  it("checks in order: redeemable, customer, minimum, step, balance, maximum, what is left to pay", () => {
    const limits = { available: 100, toPay: 300 };
    expect(pointsRefusal(60, undefined, rich, limits, "EUR")?.code).toBe("points_not_redeemable");
    expect(pointsRefusal(60, seeds, null, limits, "EUR")?.code).toBe("customer_required");
    const stepped = { ...seeds, step: 25 };
    expect(pointsRefusal(40, stepped, rich, limits, "EUR")?.code).toBe("below_minimum_points");
    expect(pointsRefusal(60, stepped, rich, limits, "EUR")?.code).toBe("not_a_step");
    expect(pointsRefusal(125, stepped, rich, limits, "EUR")?.code).toBe("not_enough_points");
    expect(pointsRefusal(100, stepped, rich, limits, "EUR")?.message).toBe("Only €3.00 is left to pay.");
    expect(pointsRefusal(50, stepped, rich, limits, "EUR")).toBeNull();
    expect(pointsRefusal(100, stepped, rich, limits, "EUR")?.code).toBe("nothing_to_discount");
    expect(pointsRefusal(100, stepped, rich, { available: 100, toPay: 500 }, "EUR")).toBeNull();
    expect(pointsRefusal(300, seeds, rich, { available: 1000, toPay: 100 }, "EUR")?.code).toBe("max_discount_reached");
  });

  it("points worth less than a cent are refused rather than spent for nothing", () => {
    const cheap = RedemptionConfig.parse({ points: 1000, value: 1 });
    expect(pointsRefusal(999, cheap, rich, { available: 10_000, toPay: 3000 }, "EUR")?.code).toBe(
      "nothing_to_discount",
    );
    expect(pointsRefusal(1000, cheap, rich, { available: 10_000, toPay: 3000 }, "EUR")).toBeNull();
  });
});

describe("maxUsablePoints", () => {
  it("is bound by the points available, the order's maximum and what is left to pay", () => {
    expect(maxUsablePoints(seeds, { available: 10_000, toPay: 3000 })).toBe(200); // €10 maximum
    expect(maxUsablePoints(seeds, { available: 170, toPay: 3000 })).toBe(170);
    expect(maxUsablePoints(seeds, { available: 10_000, toPay: 640 })).toBe(128); // 128 × 5 = 640
  });

  it("rounds down to the step, and is 0 below the minimum", () => {
    expect(maxUsablePoints({ ...seeds, step: 25 }, { available: 170, toPay: 3000 })).toBe(150);
    expect(maxUsablePoints(seeds, { available: 49, toPay: 3000 })).toBe(0);
    expect(maxUsablePoints(seeds, { available: 10_000, toPay: 200 })).toBe(0); // 40 points would pay it
    expect(maxUsablePoints(seeds, { available: 0, toPay: 3000 })).toBe(0);
  });

  it("is 0 when it would be worth nothing", () => {
    expect(maxUsablePoints(RedemptionConfig.parse({ points: 3, value: 2 }), { available: 1, toPay: 1 })).toBe(0);
  });

  it("without a maximum per order only the balance and the basket bind", () => {
    const open = RedemptionConfig.parse({ points: 100, value: 500 });
    expect(maxUsablePoints(open, { available: 10_000, toPay: 3000 })).toBe(600);
  });
});

describe("walletRefusal", () => {
  const wallet = member({ wallet: 1500, heldWallet: 500 });
  it("customer_required, not_enough_wallet (net of holds), nothing_to_discount", () => {
    expect(walletRefusal(100, null, 3000, "EUR")?.code).toBe("customer_required");
    expect(walletRefusal(1001, wallet, 3000, "EUR")?.code).toBe("not_enough_wallet");
    expect(walletRefusal(1001, wallet, 3000, "EUR")?.message).toBe("Only €10.00 of wallet cash is available.");
    expect(walletRefusal(1000, wallet, 999, "EUR")?.code).toBe("nothing_to_discount");
    expect(walletRefusal(1000, wallet, 1000, "EUR")).toBeNull();
  });
});
