import type { Db } from "@regulars/db";
import type { DomainError } from "@regulars/errors";
import { testDb } from "@regulars/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { customerBalances, placeHold, transactionStatus } from "../src/index.ts";
import { apply, checkoutTenant, genericCoupon, givePoints, holdRequest, saleWithHold } from "./checkout-fixtures.ts";

let db: Db;
beforeAll(() => {
  db = testDb();
});
afterAll(async () => {
  await db?.$disconnect();
});

/** Fires the holds at once, each on its own connection of the pool; returns the refusals' first reasons. */
async function race(holds: Promise<unknown>[]) {
  const results = await Promise.allSettled(holds);
  const won = results.filter((r) => r.status === "fulfilled").length;
  const reasons = (results.filter((r) => r.status === "rejected") as PromiseRejectedResult[]).map(
    (r) => (r.reason as DomainError).issues?.[0]?.message.split(":")[0] ?? (r.reason as Error).message,
  );
  return { won, reasons };
}

const usedCount = async (campaignId: string) => {
  const [row] = await db.$queryRaw<{ used_count: bigint; used_amount: bigint }[]>`
    SELECT used_count, used_amount FROM coupon_campaigns WHERE id = ${campaignId}`;
  return { count: Number(row!.used_count), amount: Number(row!.used_amount) };
};

describe("coupon limits under concurrent holds", () => {
  it("a budget of €10 at €3 off each: four holds, the last one capped at the €1 left, never a fifth", async () => {
    const { tenantId, customers, deps } = await checkoutTenant(db, 12);
    const campaign = await genericCoupon(db, tenantId, "BUDGET10", {
      benefit: { kind: "fixed_off", amount: 300 },
      limits: { budget: 1000 },
    });
    const { won, reasons } = await race(
      customers.map((c) => placeHold(deps, tenantId, holdRequest(c, { couponCodes: ["BUDGET10"] }))),
    );
    // 300 + 300 + 300 + the 100 left: four holds give exactly the budget, the rest are refused.
    expect(won).toBe(4);
    expect(new Set(reasons)).toEqual(new Set(["budget_exhausted"]));
    expect(await usedCount(campaign)).toEqual({ count: 4, amount: 1000 });
  });

  it("one use per customer however many terminals the customer's phone is at", async () => {
    const { tenantId, customers, deps } = await checkoutTenant(db, 1);
    const [c] = customers as [string];
    const campaign = await genericCoupon(db, tenantId, "ONCEEACH", {
      benefit: { kind: "fixed_off", amount: 100 },
      limits: { perCustomer: 1 },
    });
    const { won, reasons } = await race(
      Array.from({ length: 10 }, () => placeHold(deps, tenantId, holdRequest(c, { couponCodes: ["ONCEEACH"] }))),
    );
    expect(won).toBe(1);
    expect(new Set(reasons)).toEqual(new Set(["customer_limit_reached"]));
    expect((await usedCount(campaign)).count).toBe(1);
  });

  it("a per-day limit of 3 across customers", async () => {
    const { tenantId, customers, deps } = await checkoutTenant(db, 10);
    const campaign = await genericCoupon(db, tenantId, "DAILY3", {
      benefit: { kind: "percent_off", percent: 10 },
      limits: { perDay: 3 },
    });
    const { won, reasons } = await race(
      customers.map((c) => placeHold(deps, tenantId, holdRequest(c, { couponCodes: ["DAILY3"] }))),
    );
    expect(won).toBe(3);
    expect(new Set(reasons)).toEqual(new Set(["daily_limit_reached"]));
    expect((await usedCount(campaign)).count).toBe(3);
  });

  it("a code of limited uses (perCode 2) held by many at once", async () => {
    const { tenantId, customers, deps } = await checkoutTenant(db, 8);
    await genericCoupon(db, tenantId, "TWICE", {
      benefit: { kind: "fixed_off", amount: 100 },
      limits: { perCode: 2 },
    });
    const { won, reasons } = await race(
      customers.map((c) => placeHold(deps, tenantId, holdRequest(c, { couponCodes: ["TWICE"] }))),
    );
    expect(won).toBe(2);
    expect(new Set(reasons)).toEqual(new Set(["code_used_up"]));
  });
});

describe("a hold commits once", () => {
  it("two different sales naming the same hold: the first spends it, the second is rejected (hold_used)", async () => {
    const { tenantId, customers, deps } = await checkoutTenant(db);
    const [c] = customers as [string];
    await givePoints(db, tenantId, c, 300);
    const placed = await placeHold(deps, tenantId, holdRequest(c, { points: 200 }));
    const first = saleWithHold(tenantId, c, placed.holdId, placed.quote.lines);
    const second = saleWithHold(tenantId, c, placed.holdId, placed.quote.lines);
    // In one batch, as a redelivery and a retried upload would arrive together.
    await apply(db, [first, second, first]);
    const paid = first.transaction.total;
    // 300 − 200 once, and what the first earned: the hold did not pay the second's discounts, which earns nothing.
    expect((await customerBalances(db, tenantId, c)).points).toBe(300 - 200 + Math.floor(paid / 100));
    expect(await transactionStatus(db, tenantId, second.transaction.externalId)).toMatchObject({
      status: "rejected",
      reason: { code: "hold_used" },
    });
    const spent = await db.$queryRaw<{ n: bigint }[]>`
      SELECT count(*) AS n FROM ledger_movements WHERE tenant_id = ${tenantId} AND kind = 'redeem'`;
    expect(spent[0]!.n).toBe(1n);
  });
});
