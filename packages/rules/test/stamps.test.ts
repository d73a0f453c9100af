import { StampCard } from "@regulars/contracts";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { applyStamps, type StampLine, stampsEarned, stampsPerLine, walletPaidPerLine } from "../src/index.ts";
import { line, sale } from "./fixtures.ts";

/** A line whose discount includes `walletPaid` of wallet cash, as the ledger passes a sale paid at checkout. */
const fromWallet = (l: StampLine, walletPaid: number): StampLine => ({ ...l, walletPaid });

const tenthVisitFree = StampCard.parse({ id: "tenth-visit", name: "10th visit free", stampsRequired: 10 });

describe("stamp cards: 10th visit free", () => {
  it("one stamp per visit; the 10th completes the card", () => {
    let stamps = 0;
    const completions: number[] = [];
    for (let visit = 1; visit <= 10; visit++) {
      const r = applyStamps(
        stamps,
        stampsEarned(tenthVisitFree, sale([line("BURGER", 1450, { quantity: 3 })])),
        tenthVisitFree.stampsRequired,
      );
      stamps = r.stamps;
      completions.push(r.completions);
    }
    expect(completions).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 0, 1]);
    expect(stamps).toBe(0);
  });

  it("carries over: 9 + 3 with 10 required → 2 stamps and 1 completion", () => {
    expect(applyStamps(9, 3, 10)).toEqual({ stamps: 2, completions: 1 });
    expect(applyStamps(0, 25, 10)).toEqual({ stamps: 5, completions: 2 });
    expect(applyStamps(3, -5, 10)).toEqual({ stamps: 0, completions: 0 });
  });

  it("a visit needs the minimum paid amount and, with a match, a matching paid line", () => {
    const pizzaVisits = StampCard.parse({
      id: "pizza",
      name: "Pizza visits",
      stampsRequired: 8,
      match: { categories: ["pizza"] },
      minAmount: 1500,
    });
    expect(stampsEarned(pizzaVisits, sale([line("MARGHERITA", 1600, { category: "pizza", quantity: 2 })]))).toBe(1);
    expect(stampsEarned(pizzaVisits, sale([line("MARGHERITA", 1400, { category: "pizza" })]))).toBe(0);
    expect(stampsEarned(pizzaVisits, sale([line("BURGER", 1600)]))).toBe(0);
    // The free pizza the card paid for does not stamp the card.
    expect(
      stampsEarned(
        pizzaVisits,
        sale([line("MARGHERITA", 1600, { category: "pizza", discount: 1600 }), line("COLA", 1500)]),
      ),
    ).toBe(0);
    expect(
      stampsEarned({ ...pizzaVisits, enabled: false }, sale([line("MARGHERITA", 1600, { category: "pizza" })])),
    ).toBe(0);
  });

  it("per item counts the quantities of paid matching lines (all paid lines without a match)", () => {
    const coffees = StampCard.parse({
      id: "coffee",
      name: "Coffee card",
      stampsRequired: 10,
      per: "item",
      match: { tags: ["coffee"] },
    });
    const basket = [
      line("LATTE", 450, { tags: ["coffee"], quantity: 2 }),
      line("CAPPUCCINO", 420, { tags: ["coffee"] }),
      line("ESPRESSO", 300, { tags: ["coffee"], discount: 300 }),
      line("CAKE", 500, { quantity: 2 }),
    ];
    expect(stampsEarned(coffees, sale(basket))).toBe(3);
    expect(stampsEarned({ ...coffees, match: undefined }, sale(basket))).toBe(5);
  });

  it("per item counts only the units money was paid toward, so a free coffee on a paid line stamps nothing", () => {
    const coffees = StampCard.parse({
      id: "coffee",
      name: "Coffee",
      stampsRequired: 10,
      per: "item",
      match: { skus: ["COFFEE"] },
    });
    const oneFree = sale([line("COFFEE", 300, { quantity: 3, discount: 300 }), line("CAKE", 500)]);
    expect(stampsEarned(coffees, oneFree)).toBe(2);
    expect(stampsPerLine(coffees, oneFree)).toEqual([2, 0]);
    const tenPercentOff = sale([line("COFFEE", 300, { quantity: 3, discount: 90 })]);
    expect(stampsEarned(coffees, tenPercentOff)).toBe(3);
    expect(stampsEarned({ ...coffees, match: undefined }, oneFree)).toBe(3);
  });

  it("wallet cash is the customer's money: what it paid stamps, what rewards, points or coupons paid does not", () => {
    const visits = StampCard.parse({ id: "visits", name: "10th visit free", stampsRequired: 10, minAmount: 1000 });
    // €16 paid entirely from the wallet: a paid visit, though nothing is left to pay in money.
    const allWallet = {
      lines: [
        fromWallet(line("BURGER", 1200, { discount: 1200 }), 1200),
        fromWallet(line("FRIES", 400, { discount: 400 }), 400),
      ],
    };
    expect(stampsEarned(visits, allWallet)).toBe(1);
    // €4 of points and €6 of wallet on a €10 burger: only the wallet's €6 counts, under the €10 minimum.
    const pointsAndWallet = { lines: [fromWallet(line("BURGER", 1000, { discount: 1000 }), 600)] };
    expect(stampsEarned(visits, pointsAndWallet)).toBe(0);
    expect(stampsEarned({ ...visits, minAmount: 0 }, pointsAndWallet)).toBe(1);

    const coffees = StampCard.parse({
      id: "c",
      name: "Coffee",
      stampsRequired: 10,
      per: "item",
      match: { skus: ["COFFEE"] },
    });
    // 3 coffees: one free by a reward (300), the other two paid from the wallet (600).
    const oneFreeRestWallet = { lines: [fromWallet(line("COFFEE", 300, { quantity: 3, discount: 900 }), 600)] };
    expect(stampsEarned(coffees, oneFreeRestWallet)).toBe(2);
    expect(stampsPerLine(coffees, oneFreeRestWallet)).toEqual([2]);
    // A wallet share above the line's discount (a malformed line) is read as the discount: never more than paid.
    expect(stampsEarned(coffees, { lines: [fromWallet(line("COFFEE", 300), 900)] })).toBe(1);
    // What a refund must name before it takes the visit back: the wallet's lines, each at most its discount.
    expect(walletPaidPerLine(oneFreeRestWallet.lines)).toEqual([600]);
    expect(walletPaidPerLine([line("FRIES", 400, { discount: 400 }), fromWallet(line("COLA", 300), 900)])).toBe(
      undefined,
    );
  });

  it("property: stamps + completions × required always equals what was collected", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 99 }),
        fc.integer({ min: 0, max: 1000 }),
        fc.integer({ min: 2, max: 100 }),
        (before, add, required) => {
          const r = applyStamps(before % required, add, required);
          expect(r.stamps).toBeGreaterThanOrEqual(0);
          expect(r.stamps).toBeLessThan(required);
          expect(r.stamps + r.completions * required).toBe((before % required) + add);
        },
      ),
    );
  });
});
