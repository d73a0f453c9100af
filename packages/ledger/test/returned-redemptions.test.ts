import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  everyLineRefunded,
  type Redemption,
  type RefundedPrice,
  redemptionsToReturn,
  refundedPrices,
  type Spent,
} from "../src/index.ts";

const nothing: Spent = { points: 0, wallet: 0 };
const priced = (...prices: [number, number][]): RefundedPrice[] =>
  prices.map(([price, refunded]) => ({ price, refunded }));

describe("what a refund gives back of a checkout's redemptions", () => {
  // Burger €12 and fries €4 paid entirely with €16 of wallet cash.
  const wallet: Redemption = {
    points: 0,
    wallet: 1600,
    lines: [
      { lineNo: 0, amount: 1200 },
      { lineNo: 1, amount: 400 },
    ],
  };
  const spentWallet = { points: 0, wallet: 1600 };

  it("gives back the wallet cash that paid for the refunded line, not the whole sale's", () => {
    expect(redemptionsToReturn(spentWallet, [wallet], priced([1200, 0], [400, 400]), nothing)).toEqual({
      points: 0,
      wallet: 400,
    });
    // The burger afterwards: the rest, and no more.
    expect(
      redemptionsToReturn(spentWallet, [wallet], priced([1200, 1200], [400, 400]), { points: 0, wallet: 400 }),
    ).toEqual({ points: 0, wallet: 1200 });
  });

  it("gives back nothing of a reward when the refunded line is not the reward's", () => {
    const puff: Redemption = { points: 20, wallet: 0, lines: [{ lineNo: 1, amount: 300 }] };
    const spent = { points: 20, wallet: 0 };
    expect(redemptionsToReturn(spent, [puff], priced([1200, 1200], [300, 0]), nothing)).toEqual(nothing);
    expect(redemptionsToReturn(spent, [puff], priced([1200, 1200], [300, 300]), nothing)).toEqual(spent);
  });

  it("weights each redemption's lines by what it took off them, and floors once", () => {
    // 100 points took €3.75 off the burger and €1.25 off the fries: the fries give back a quarter.
    const points: Redemption = {
      points: 100,
      wallet: 0,
      lines: [
        { lineNo: 0, amount: 375 },
        { lineNo: 1, amount: 125 },
      ],
    };
    const spent = { points: 100, wallet: 0 };
    expect(redemptionsToReturn(spent, [points], priced([1200, 0], [400, 400]), nothing).points).toBe(25);
    // Half the fries: an eighth, floored.
    expect(redemptionsToReturn(spent, [points], priced([1200, 0], [400, 200]), nothing).points).toBe(12);
  });

  it("shares a redemption that names no lines over the whole sale by price", () => {
    const legacy: Redemption = { points: 0, wallet: 1600, lines: [] };
    expect(redemptionsToReturn(spentWallet, [legacy], priced([1200, 0], [400, 400]), nothing).wallet).toBe(400);
  });

  it("gives back nothing more once what was earned back has been given", () => {
    expect(
      redemptionsToReturn(spentWallet, [wallet], priced([1200, 0], [400, 400]), { points: 0, wallet: 1600 }),
    ).toEqual(nothing);
  });

  it("never gives back more than was spent over any run of partial refunds, and all of it once every line is back", () => {
    const sale = fc.array(fc.integer({ min: 1, max: 5_000 }), { minLength: 1, maxLength: 5 }).chain((prices) =>
      fc.record({
        prices: fc.constant(prices),
        // Each redemption covers some lines, each by up to its price.
        redemptions: fc.array(
          fc.record({
            points: fc.integer({ min: 0, max: 500 }),
            wallet: fc.integer({ min: 0, max: 5_000 }),
            lines: fc.uniqueArray(
              fc.record({
                lineNo: fc.integer({ min: 0, max: prices.length - 1 }),
                amount: fc.integer({ min: 1, max: 5_000 }),
              }),
              { selector: (l) => l.lineNo, maxLength: prices.length },
            ),
          }),
          { minLength: 1, maxLength: 4 },
        ),
        // Partial refunds: each adds a slice of a line's price (a line may be named beyond its price).
        refunds: fc.array(
          fc.record({
            lineNo: fc.integer({ min: 0, max: prices.length - 1 }),
            price: fc.integer({ min: 0, max: 6_000 }),
          }),
          { maxLength: 12 },
        ),
      }),
    );
    fc.assert(
      fc.property(sale, ({ prices, redemptions, refunds }) => {
        const spent = {
          points: redemptions.reduce((s, r) => s + r.points, 0),
          wallet: redemptions.reduce((s, r) => s + r.wallet, 0),
        };
        const refunded = prices.map(() => 0);
        const given = { ...nothing };
        const refund = () => {
          const back = redemptionsToReturn(
            spent,
            redemptions,
            prices.map((price, i) => ({ price, refunded: refunded[i]! })),
            given,
          );
          given.points += back.points;
          given.wallet += back.wallet;
          expect(given.points).toBeLessThanOrEqual(spent.points);
          expect(given.wallet).toBeLessThanOrEqual(spent.wallet);
        };
        for (const r of refunds) {
          refunded[r.lineNo]! += r.price;
          refund();
        }
        // The rest of every line: everything spent is back.
        prices.forEach((price, i) => {
          refunded[i] = Math.max(refunded[i]!, price);
        });
        refund();
        refund();
        expect(given).toEqual(spent);
      }),
    );
  });
});

describe("how much of each line's price refunds took back", () => {
  const sale = [
    { sku: "BURGER", price: 1200, paid: 1200, paidRefunded: 0 },
    { sku: "FRIES", price: 400, paid: 0, paidRefunded: 0 },
    { sku: "FRIES", price: 400, paid: 200, paidRefunded: 0 },
  ];

  it("counts a line named by number, and fills lines named by sku alone in order", () => {
    expect(refundedPrices(sale, [{ lineNo: 1, sku: "FRIES", price: 400 }]).map((l) => l.refunded)).toEqual([0, 400, 0]);
    expect(refundedPrices(sale, [{ lineNo: null, sku: "FRIES", price: 600 }]).map((l) => l.refunded)).toEqual([
      0, 400, 200,
    ]);
  });

  it("counts at least the share of the money refunded, and never more than the price", () => {
    const paidBack = sale.map((l, i) => (i === 0 ? { ...l, paidRefunded: 600 } : l));
    expect(refundedPrices(paidBack, []).map((l) => l.refunded)).toEqual([600, 0, 0]);
    expect(refundedPrices(sale, [{ lineNo: 0, sku: "BURGER", price: 2400 }]).map((l) => l.refunded)).toEqual([
      1200, 0, 0,
    ]);
  });
});

describe("whether a sale's refunds took back every line", () => {
  it("needs every priced line refunded in full, a line paid for entirely too", () => {
    expect(everyLineRefunded(priced([1200, 0], [400, 400]))).toBe(false);
    expect(everyLineRefunded(priced([1200, 600], [400, 400]))).toBe(false);
    expect(everyLineRefunded(priced([1200, 1200], [400, 400]))).toBe(true);
    // A line that cost nothing before discounts has nothing to refund.
    expect(everyLineRefunded(priced([1200, 1200], [0, 0]))).toBe(true);
  });

  it("cannot tell without a priced line: the caller decides by money", () => {
    expect(everyLineRefunded([])).toBeNull();
    expect(everyLineRefunded(priced([0, 0]))).toBeNull();
  });
});
