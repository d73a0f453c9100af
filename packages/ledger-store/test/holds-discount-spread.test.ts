import type { Db } from "@regulars/db";
import { testDb } from "@regulars/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { customerBalances, placeHold } from "../src/index.ts";
import { base, line, txMessage } from "./batch-fixtures.ts";
import { apply, basket, checkoutProgramme, checkoutTenant, givePoints, holdRequest } from "./checkout-fixtures.ts";

/**
 * A till may post the checkout's discount on other lines than the quote put it (the hold's check compares no
 * discounts). Moved onto a line that earns nothing or less, it would let the line the checkout paid for earn: each
 * line keeps the checkout's discount where the quote put it, whatever the till posted.
 */
let db: Db;
beforeAll(() => {
  db = testDb();
});
afterAll(async () => {
  await db?.$disconnect();
});

const burgerAndPuff = () => [line("BURGER", 1200), line("PUFF", 300)];

/** The customer takes the free veg puff (20 points) with a burger; the till posts `discounts` on the two lines. */
async function freePuffSale(rules: Record<string, unknown>[], discounts: [number, number]) {
  const { tenantId, customers, deps } = await checkoutTenant(db, 1, { ...checkoutProgramme, rules });
  const [c] = customers as [string];
  await givePoints(db, tenantId, c, 20);
  const placed = await placeHold(
    deps,
    tenantId,
    holdRequest(c, { basket: basket(burgerAndPuff()), rewardIds: ["veg-puff"] }),
  );
  expect(placed.quote.lines.map((l) => l.discount)).toEqual([0, 300]);
  const lines = burgerAndPuff().map((l, i) => ({ ...l, discount: discounts[i]! }));
  const sale = txMessage(tenantId, { customer: { id: c }, channel: "kiosk", lines, holdId: placed.holdId });
  expect(sale.transaction.total).toBe(1200);
  await apply(db, [sale]);
  const stored = await db.transaction.findFirstOrThrow({
    where: { tenantId, externalId: sale.transaction.externalId },
  });
  const awarded = Number(stored.pointsAwarded);
  // The hold was committed: the reward's 20 points were spent, so the balance is what the sale earned.
  expect((await customerBalances(db, tenantId, c)).points).toBe(awarded);
  return awarded;
}

describe("a till that posts the checkout's discount on other lines than the quote", () => {
  const noBurger = [base, { id: "no-burger", type: "exclusion", match: { skus: ["BURGER"] } }];

  const postings: [number, number][] = [
    [0, 300],
    [240, 60],
    [300, 0],
  ];

  it.each(postings)("earns nothing on the €12 paid for the excluded burger, posted [%i, %i]", async (...posted) => {
    expect(await freePuffSale(noBurger, posted)).toBe(0);
  });

  it.each(postings)("earns no product multiplier on the free puff, posted [%i, %i]: 12 points", async (...posted) => {
    const triplePuff = [base, { id: "puff-3x", type: "multiplier", factor: 3, products: { skus: ["PUFF"] } }];
    expect(await freePuffSale(triplePuff, posted)).toBe(12);
  });
});
