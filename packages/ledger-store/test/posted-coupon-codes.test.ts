import type { TransactionMessage } from "@regulars/contracts";
import type { Db } from "@regulars/db";
import { testDb } from "@regulars/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { placeHold, transactionStatus } from "../src/index.ts";
import { txMessage } from "./batch-fixtures.ts";
import { apply, basket, checkoutTenant, genericCoupon, holdRequest, saleWithHold } from "./checkout-fixtures.ts";

let db: Db;
beforeAll(() => {
  db = testDb();
});
afterAll(async () => {
  await db?.$disconnect();
});

const couponUses = (campaignId: string) =>
  db.$queryRaw<{ status: string; n: bigint }[]>`
    SELECT status, count(*) AS n FROM coupon_uses WHERE campaign_id = ${campaignId} GROUP BY status ORDER BY status`;

/** The codes as a till typed them, past the gateway's schema: messages accepted before it normalised them. */
const postedAsTyped = (m: TransactionMessage, couponCodes: string[]): TransactionMessage => ({
  ...m,
  transaction: { ...m.transaction, couponCodes },
});

const codesOf = async (tenantId: string, m: TransactionMessage) => {
  const status = await transactionStatus(db, tenantId, m.transaction.externalId);
  if (status?.status !== "processed") throw new Error(`${m.transaction.externalId} is ${status?.status}`);
  return status.couponCodes;
};

describe("coupon codes posted on a sale without a hold", () => {
  it("are compared as a quote compares them: a limit-1 code typed three ways is used once", async () => {
    const { tenantId } = await checkoutTenant(db);
    const campaign = await genericCoupon(db, tenantId, "ONCE-ONLY", {
      benefit: { kind: "fixed_off", amount: 300 },
      limits: { total: 1 },
    });
    const sales = ["once-only ", "ONCE\u2013ONLY", " Once\u2212Only"].map((typed) =>
      postedAsTyped(txMessage(tenantId, { couponCodes: [], lines: basket().lines }), [typed]),
    );
    for (const sale of sales) await apply(db, [sale]);

    expect(await couponUses(campaign)).toEqual([{ status: "committed", n: 1n }]);
    expect(await codesOf(tenantId, sales[0]!)).toEqual([{ code: "ONCE-ONLY", counted: true, refusal: null }]);
    for (const sale of sales.slice(1))
      expect(await codesOf(tenantId, sale)).toEqual([
        { code: "ONCE-ONLY", counted: false, refusal: { code: "limit_reached", message: expect.any(String) } },
      ]);
  });

  it("count a use held by another customer's hold past its expiry as free, and end that hold", async () => {
    const { tenantId, customers, deps } = await checkoutTenant(db, 2);
    const [a, b] = customers as [string, string];
    const campaign = await genericCoupon(db, tenantId, "LAST-FRIES", {
      benefit: { kind: "fixed_off", amount: 100 },
      limits: { total: 1 },
    });
    const t0 = Date.now();
    const held = await placeHold({ ...deps, now: () => new Date(t0 - 120_000) }, tenantId, {
      ...holdRequest(a, { couponCodes: ["LAST-FRIES"], ttlSeconds: 30 }),
    });
    // B types the code at a till 90 s after A's hold lapsed; no expire-holds sweep has run.
    const sale = {
      ...txMessage(tenantId, { customer: { id: b }, couponCodes: ["LAST-FRIES"], lines: basket().lines }),
      receivedAt: new Date(t0).toISOString(),
    };
    await apply(db, [sale]);

    expect(await codesOf(tenantId, sale)).toEqual([{ code: "LAST-FRIES", counted: true, refusal: null }]);
    expect(await couponUses(campaign)).toEqual([
      { status: "committed", n: 1n },
      { status: "released", n: 1n },
    ]);
    const [hold] = await db.$queryRaw<
      { status: string }[]
    >`SELECT status FROM checkout_holds WHERE id = ${held.holdId}`;
    expect(hold).toEqual({ status: "expired" });
  });

  it("keeps a sale with a code nobody knows processed, and its status says the code did not count", async () => {
    const { tenantId, customers } = await checkoutTenant(db);
    const campaign = await genericCoupon(db, tenantId, "REAL-ONE", { benefit: { kind: "fixed_off", amount: 100 } });
    const sale = txMessage(tenantId, {
      customer: { id: customers[0] },
      couponCodes: ["NO-SUCH-CODE", "real-one", "REAL-ONE"],
      lines: basket().lines,
    });
    await apply(db, [sale]);

    expect(await codesOf(tenantId, sale)).toEqual([
      { code: "NO-SUCH-CODE", counted: false, refusal: { code: "unknown_code", message: "This code does not exist." } },
      { code: "REAL-ONE", counted: true, refusal: null },
    ]);
    expect(await couponUses(campaign)).toEqual([{ status: "committed", n: 1n }]);
    // The earning explanation is still there beside the codes.
    const stored = await db.transaction.findFirstOrThrow({
      where: { tenantId, externalId: sale.transaction.externalId },
    });
    expect(stored.explanation).toMatchObject({ points: expect.any(Number), lines: expect.any(Array) });
  });

  it("finds the held code behind a posted one typed differently, and counts it once, through the hold", async () => {
    const { tenantId, customers, deps } = await checkoutTenant(db);
    const [c] = customers as [string];
    const campaign = await genericCoupon(db, tenantId, "FRIES-50", {
      benefit: { kind: "percent_off", percent: 50, match: { skus: ["FRIES"] } },
      limits: { total: 5 },
    });
    const placed = await placeHold(deps, tenantId, holdRequest(c, { couponCodes: ["FRIES-50"] }));
    const sale = postedAsTyped(saleWithHold(tenantId, c, placed.holdId, placed.quote.lines), ["fries\u201050 "]);
    await apply(db, [sale]);

    expect(await couponUses(campaign)).toEqual([{ status: "committed", n: 1n }]);
    expect(await codesOf(tenantId, sale)).toEqual([{ code: "FRIES-50", counted: true, refusal: null }]);
  });

  it("are stacked together as a quote stacks them: a second exclusive coupon or one of the same group is not counted", async () => {
    const { tenantId, customers } = await checkoutTenant(db);
    const [c] = customers as [string];
    const off = { kind: "fixed_off", amount: 300 };
    const soloA = await genericCoupon(db, tenantId, "SOLO-A", { benefit: off, stacking: { exclusive: true } });
    const soloB = await genericCoupon(db, tenantId, "SOLO-B", { benefit: off, stacking: { exclusive: true } });
    const mealA = await genericCoupon(db, tenantId, "MEAL-A", { benefit: off, stacking: { group: "meal" } });
    const mealB = await genericCoupon(db, tenantId, "MEAL-B", { benefit: off, stacking: { group: "meal" } });
    const solo = txMessage(tenantId, { customer: { id: c }, couponCodes: ["SOLO-A", "SOLO-B"], lines: basket().lines });
    const meal = txMessage(tenantId, { customer: { id: c }, couponCodes: ["MEAL-A", "MEAL-B"], lines: basket().lines });
    await apply(db, [solo, meal]);

    const notCombinable = { code: "not_combinable", message: expect.any(String) };
    expect(await codesOf(tenantId, solo)).toEqual([
      { code: "SOLO-A", counted: true, refusal: null },
      { code: "SOLO-B", counted: false, refusal: notCombinable },
    ]);
    expect(await codesOf(tenantId, meal)).toEqual([
      { code: "MEAL-A", counted: true, refusal: null },
      { code: "MEAL-B", counted: false, refusal: notCombinable },
    ]);
    for (const counted of [soloA, mealA]) expect(await couponUses(counted)).toEqual([{ status: "committed", n: 1n }]);
    for (const refused of [soloB, mealB]) expect(await couponUses(refused)).toEqual([]);
  });

  it("are stacked after the coupons of the hold the sale commits", async () => {
    const { tenantId, customers, deps } = await checkoutTenant(db);
    const [c] = customers as [string];
    const off = { kind: "fixed_off", amount: 300 };
    await genericCoupon(db, tenantId, "SOLO-A", { benefit: off, stacking: { exclusive: true } });
    const soloB = await genericCoupon(db, tenantId, "SOLO-B", { benefit: off, stacking: { exclusive: true } });
    const placed = await placeHold(deps, tenantId, holdRequest(c, { couponCodes: ["SOLO-A"] }));
    const sale = saleWithHold(tenantId, c, placed.holdId, placed.quote.lines, { couponCodes: ["SOLO-A", "SOLO-B"] });
    await apply(db, [sale]);

    expect(await codesOf(tenantId, sale)).toEqual([
      { code: "SOLO-A", counted: true, refusal: null },
      { code: "SOLO-B", counted: false, refusal: { code: "not_combinable", message: expect.any(String) } },
    ]);
    expect(await couponUses(soloB)).toEqual([]);
  });

  it("lists no codes for a sale that posted none", async () => {
    const { tenantId } = await checkoutTenant(db);
    const sale = txMessage(tenantId, { lines: basket().lines });
    await apply(db, [sale]);
    expect(await codesOf(tenantId, sale)).toEqual([]);
  });
});
