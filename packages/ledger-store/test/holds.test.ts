import type { Db } from "@regulars/db";
import { DomainError } from "@regulars/errors";
import { testDb } from "@regulars/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  customerBalances,
  customerStanding,
  customerSummary,
  findBalanceDrift,
  placeHold,
  qualifyingValueNow,
  quoteCheckout,
  releaseExpiredHolds,
  transactionStatus,
  voidHold,
} from "../src/index.ts";
import { line, refundOf, txMessage } from "./batch-fixtures.ts";
import {
  apply,
  basket,
  checkoutTenant,
  genericCoupon,
  givePoints,
  holdRequest,
  saleWithHold,
} from "./checkout-fixtures.ts";

let db: Db;
beforeAll(() => {
  db = testDb();
});
afterAll(async () => {
  await db?.$disconnect();
});

const refusal = async (p: Promise<unknown>) => {
  const e = await p.then(
    () => null,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(DomainError);
  return e as DomainError;
};

const couponUses = (campaignId: string) =>
  db.$queryRaw<{ status: string; n: bigint }[]>`
    SELECT status, count(*) AS n FROM coupon_uses WHERE campaign_id = ${campaignId} GROUP BY status ORDER BY status`;

describe("points holds", () => {
  it("reserves points, shows them held, and commits them with the sale: points earn on the money paid", async () => {
    const { tenantId, customers, deps } = await checkoutTenant(db);
    const [c] = customers as [string];
    await givePoints(db, tenantId, c, 200);

    const placed = await placeHold(deps, tenantId, holdRequest(c, { points: 150 }));
    expect(placed.quote.points).toMatchObject({ applied: 150, value: 750, balance: 200 });
    expect(placed.quote.total).toBe(1600 - 750);

    const quote = await quoteCheckout(deps, tenantId, { ...holdRequest(c), points: 0 });
    expect(quote.points).toMatchObject({ balance: 200, held: 150, spendable: 50 });
    const second = await refusal(placeHold(deps, tenantId, holdRequest(c, { points: 100 })));
    expect(second.code).toBe("hold_refused");
    expect(second.issues).toEqual([{ path: "points", message: expect.stringMatching(/^not_enough_points: /) }]);

    const sale = saleWithHold(tenantId, c, placed.holdId, placed.quote.lines);
    expect(sale.transaction.total).toBe(850);
    await apply(db, [sale]);
    // 200 − 150 spent + 8 earned on the €8.50 paid.
    expect((await customerBalances(db, tenantId, c)).points).toBe(58);
    await apply(db, [sale]);
    expect((await customerBalances(db, tenantId, c)).points).toBe(58);
    expect((await quoteCheckout(deps, tenantId, holdRequest(c))).points.held).toBe(0);
    expect(await findBalanceDrift(db, tenantId)).toEqual([]);
  });

  it("summarises a customer in one read: balances, what holds in force reserve, the standing once there is one", async () => {
    const { tenantId, customers, deps } = await checkoutTenant(db, 2);
    const [c, other] = customers as [string, string];
    expect(await customerSummary(db, tenantId, c)).toEqual({
      balances: { points: 0, pendingPoints: 0, wallet: 0, heldPoints: 0, heldWallet: 0 },
      standing: null,
    });
    await givePoints(db, tenantId, c, 200);
    await givePoints(db, tenantId, other, 40);
    const placed = await placeHold(deps, tenantId, holdRequest(c, { points: 150 }));
    expect((await customerSummary(db, tenantId, c)).balances).toEqual({
      points: 200,
      pendingPoints: 0,
      wallet: 0,
      heldPoints: 150,
      heldWallet: 0,
    });
    // Another customer's balances and holds are not summed in.
    expect((await customerSummary(db, tenantId, other)).balances).toMatchObject({ points: 40, heldPoints: 0 });

    await apply(db, [saleWithHold(tenantId, c, placed.holdId, placed.quote.lines)]);
    const after = await customerSummary(db, tenantId, c);
    expect(after.balances).toMatchObject({ points: 58, heldPoints: 0 }); // the hold was spent by the sale
    expect(after.standing).not.toBeNull();
    expect(after.standing).toEqual(await customerStanding(db, c));
    expect(after.balances).toEqual(await customerBalances(db, tenantId, c));
  });

  it("earns only on what was paid even when the till posts the lines without the checkout's discounts", async () => {
    const { tenantId, customers, deps } = await checkoutTenant(db);
    const [c] = customers as [string];
    await givePoints(db, tenantId, c, 200);
    const placed = await placeHold(deps, tenantId, holdRequest(c, { points: 200 }));
    expect(placed.quote.points.applied).toBe(200);
    await apply(db, [saleWithHold(tenantId, c, placed.holdId, [])]);
    // €16 basket, €10 paid with points: 6 points earned, not 16.
    expect((await customerBalances(db, tenantId, c)).points).toBe(6);
  });

  it("earns on what was paid when the till spreads the checkout's discount over other lines than the quote", async () => {
    const { tenantId, customers, deps } = await checkoutTenant(db);
    const [c] = customers as [string];
    await givePoints(db, tenantId, c, 200);
    const placed = await placeHold(deps, tenantId, holdRequest(c, { points: 200 }));
    expect(placed.quote.lines.map((l) => l.discount)).toEqual([750, 250]);
    // The till takes the whole €10 off the burger and sells the fries at full price: €6 paid all the same.
    const sale = saleWithHold(tenantId, c, placed.holdId, [{ discount: 1000 }, { discount: 0 }]);
    expect(sale.transaction.total).toBe(600);
    await apply(db, [sale]);
    expect((await customerBalances(db, tenantId, c)).points).toBe(6);
  });

  it("earns no more than was paid when the till posts only part of the checkout's discount", async () => {
    const { tenantId, customers, deps } = await checkoutTenant(db);
    const [c] = customers as [string];
    await givePoints(db, tenantId, c, 200);
    const placed = await placeHold(deps, tenantId, holdRequest(c, { points: 200 }));
    // €4 off the fries, none off the burger: the €10 of points counts in full besides the €1.50 the till added.
    await apply(db, [saleWithHold(tenantId, c, placed.holdId, [{ discount: 0 }, { discount: 400 }])]);
    expect((await customerBalances(db, tenantId, c)).points).toBe(Math.floor((1600 - 750 - 400) / 100));
  });

  it("lets exactly one of two terminals spend the same 100 points", async () => {
    const { tenantId, customers, deps } = await checkoutTenant(db);
    const [c] = customers as [string];
    await givePoints(db, tenantId, c, 100);
    const results = await Promise.allSettled([
      placeHold(deps, tenantId, holdRequest(c, { points: 100 })),
      placeHold(deps, tenantId, holdRequest(c, { points: 100 })),
    ]);
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    const lost = results.find((r) => r.status === "rejected") as PromiseRejectedResult;
    expect((lost.reason as DomainError).code).toBe("hold_refused");
  });

  it("voids a hold: its points are spendable again; a committed hold cannot be voided", async () => {
    const { tenantId, customers, deps } = await checkoutTenant(db);
    const [c] = customers as [string];
    await givePoints(db, tenantId, c, 100);
    const first = await placeHold(deps, tenantId, holdRequest(c, { points: 100 }));
    expect(await voidHold(db, tenantId, first.holdId)).toEqual({ holdId: first.holdId, status: "released" });
    expect(await voidHold(db, tenantId, first.holdId)).toEqual({ holdId: first.holdId, status: "released" });
    const second = await placeHold(deps, tenantId, holdRequest(c, { points: 100 }));
    await apply(db, [saleWithHold(tenantId, c, second.holdId, second.quote.lines)]);
    expect((await refusal(voidHold(db, tenantId, second.holdId))).code).toBe("hold_ended");
    // A sale naming a released hold is rejected (hold_ended): it spends nothing, and earns nothing either.
    const late = saleWithHold(tenantId, c, first.holdId, []);
    await apply(db, [late]);
    expect((await transactionStatus(db, tenantId, late.transaction.externalId))?.status).toBe("rejected");
    expect((await customerBalances(db, tenantId, c)).points).toBe(0 + 11);
  });

  it("a hold past its expiry reserves nothing, and a sale that arrives after it is rejected, before any sweep", async () => {
    const { tenantId, customers, deps } = await checkoutTenant(db);
    const [c] = customers as [string];
    await givePoints(db, tenantId, c, 100);
    const campaign = await genericCoupon(db, tenantId, "LATE100", {
      benefit: { kind: "fixed_off", amount: 100 },
      limits: { total: 5 },
    });
    const placed = await placeHold(deps, tenantId, holdRequest(c, { points: 100, couponCodes: ["LATE100"] }));
    const pastExpiry = new Date(Date.parse(placed.expiresAt) + 60_000);
    // The lapsed hold no longer stands in the way of a new one.
    const later = { ...deps, now: () => pastExpiry };
    expect((await quoteCheckout(later, tenantId, holdRequest(c))).points.held).toBe(0);
    const again = await placeHold(later, tenantId, holdRequest(c, { points: 100 }));
    await voidHold(db, tenantId, again.holdId);

    const sale = saleWithHold(tenantId, c, placed.holdId, placed.quote.lines);
    await apply(db, [{ ...sale, receivedAt: pastExpiry.toISOString() }]);
    const [hold] = await db.$queryRaw<
      { status: string }[]
    >`SELECT status FROM checkout_holds WHERE id = ${placed.holdId}`;
    expect(hold!.status).toBe("expired");
    expect(await couponUses(campaign)).toEqual([{ status: "released", n: 1n }]);
    // Its discounts from the hold are paid by nothing: the sale is rejected (hold_ended), and earns nothing.
    expect(await transactionStatus(db, tenantId, sale.transaction.externalId)).toMatchObject({
      status: "rejected",
      reason: { code: "hold_ended", message: expect.stringContaining(`checkout hold ${placed.holdId} expired at`) },
    });
    expect((await customerBalances(db, tenantId, c)).points).toBe(100);
    expect(await findBalanceDrift(db, tenantId)).toEqual([]);
  });

  it("a hold of another tenant is not found", async () => {
    const a = await checkoutTenant(db);
    const b = await checkoutTenant(db);
    await givePoints(db, a.tenantId, a.customers[0]!, 100);
    const placed = await placeHold(a.deps, a.tenantId, holdRequest(a.customers[0]!, { points: 100 }));
    expect((await refusal(voidHold(db, b.tenantId, placed.holdId))).code).toBe("not_found");
    expect((await refusal(placeHold(b.deps, b.tenantId, holdRequest(a.customers[0]!, { points: 50 })))).code).toBe(
      "not_found",
    );
  });

  it("a refund gives back the points its sale spent, in proportion to the money refunded", async () => {
    const { tenantId, customers, deps } = await checkoutTenant(db);
    const [c] = customers as [string];
    await givePoints(db, tenantId, c, 100);
    const placed = await placeHold(deps, tenantId, holdRequest(c, { points: 100 }));
    const sale = saleWithHold(tenantId, c, placed.holdId, placed.quote.lines);
    await apply(db, [sale]);
    const paidLines = sale.transaction.lines;
    // Refund the fries line: its share of the money paid gives back that share of the 100 points.
    const share = paidLines[1]!.unitPrice - paidLines[1]!.discount;
    await apply(db, [refundOf(tenantId, sale, [{ ...paidLines[1]!, lineNo: 1 }])]);
    const back = Math.floor((100 * share) / sale.transaction.total);
    const earned = Math.floor(sale.transaction.total / 100);
    const reversed = earned - Math.floor((sale.transaction.total - share) / 100);
    const balance = (await customerBalances(db, tenantId, c)).points;
    expect(balance).toBeGreaterThanOrEqual(earned + back - reversed - 1);
    expect(balance).toBeLessThanOrEqual(earned + back - reversed + 1);
    expect(back).toBeGreaterThan(0);
    expect(await findBalanceDrift(db, tenantId)).toEqual([]);
  });

  it("a sale paid entirely with points gives them back on its first refund only; given back, they were never earned", async () => {
    const { tenantId, customers, deps } = await checkoutTenant(db);
    const [c] = customers as [string];
    await givePoints(db, tenantId, c, 100);
    const fries = [line("FRIES", 400)];
    // 80 points are worth €4: the fries cost nothing in money.
    const placed = await placeHold(deps, tenantId, holdRequest(c, { points: 80, basket: basket(fries) }));
    const paid = fries.map((l, i) => ({ ...l, discount: placed.quote.lines[i]!.discount }));
    const sale = txMessage(tenantId, { customer: { id: c }, channel: "kiosk", lines: paid, holdId: placed.holdId });
    expect(sale.transaction.total).toBe(0);
    await apply(db, [sale]);
    expect((await customerBalances(db, tenantId, c)).points).toBe(20);

    const refund = () =>
      refundOf(
        tenantId,
        sale,
        paid.map((l) => ({ ...l, lineNo: 0 })),
      );
    await apply(db, [refund()]);
    expect((await customerBalances(db, tenantId, c)).points).toBe(100);
    // Another refund of the same sale, in a batch of its own and twice in one batch: nothing more comes back.
    await apply(db, [refund()]);
    await apply(db, [refund(), refund()]);
    expect((await customerBalances(db, tenantId, c)).points).toBe(100);
    // The 80 points given back were spent, not earned: a tier on points earned does not count them.
    const tiers = { basis: "points_earned" as const, window: "lifetime" as const };
    expect(await qualifyingValueNow(db, tenantId, c, tiers, "Europe/Warsaw", new Date())).toBe(0);
    expect(await findBalanceDrift(db, tenantId)).toEqual([]);
  });
});

describe("coupon holds", () => {
  it("a refund of the whole sale takes back the bonus points and wallet cash its coupons credited, once", async () => {
    const { tenantId, customers, deps } = await checkoutTenant(db);
    const [c] = customers as [string];
    await genericCoupon(db, tenantId, "CASH5", { benefit: { kind: "wallet_cash", amount: 500 }, limits: {} });
    await genericCoupon(db, tenantId, "BONUS30", { benefit: { kind: "bonus_points", points: 30 }, limits: {} });
    const placed = await placeHold(deps, tenantId, holdRequest(c, { couponCodes: ["CASH5", "BONUS30"] }));
    const sale = saleWithHold(tenantId, c, placed.holdId, placed.quote.lines);
    await apply(db, [sale]);
    const earned = Math.floor(sale.transaction.total / 100);
    expect(await customerBalances(db, tenantId, c)).toMatchObject({ points: earned + 30, wallet: 500 });

    const lines = sale.transaction.lines.map((l, lineNo) => ({ ...l, lineNo }));
    // Half of it first: the credits stay while part of the sale stands.
    const [burger, fries] = lines as [(typeof lines)[number], (typeof lines)[number]];
    await apply(db, [refundOf(tenantId, sale, [fries])]);
    expect((await customerBalances(db, tenantId, c)).wallet).toBe(500);
    await apply(db, [refundOf(tenantId, sale, [burger])]);
    expect(await customerBalances(db, tenantId, c)).toMatchObject({ points: 0, wallet: 0 });
    // Nothing left to refund: a further refund is refused, and takes nothing more.
    await apply(db, [refundOf(tenantId, sale, [fries])]);
    expect(await customerBalances(db, tenantId, c)).toMatchObject({ points: 0, wallet: 0 });
    expect(await findBalanceDrift(db, tenantId)).toEqual([]);
  });

  it("lets exactly one of 50 terminals hold a limit-1 coupon", async () => {
    const { tenantId, customers, deps } = await checkoutTenant(db, 50);
    const campaign = await genericCoupon(db, tenantId, "ONLYONE", {
      benefit: { kind: "fixed_off", amount: 300 },
      limits: { total: 1 },
    });
    const results = await Promise.allSettled(
      customers.map((c) => placeHold(deps, tenantId, holdRequest(c, { couponCodes: ["ONLYONE"] }))),
    );
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    for (const r of results.filter((x) => x.status === "rejected") as PromiseRejectedResult[]) {
      expect((r.reason as DomainError).issues?.[0]?.message).toMatch(/^limit_reached: /);
    }
    expect(await couponUses(campaign)).toEqual([{ status: "held", n: 1n }]);
  });

  it("commits a held coupon with its sale, gives it back on a full refund, and counts a posted code against the limit", async () => {
    const { tenantId, customers, deps } = await checkoutTenant(db, 2);
    const [a, b] = customers as [string, string];
    const campaign = await genericCoupon(db, tenantId, "FRIES50", {
      benefit: { kind: "percent_off", percent: 50, match: { skus: ["FRIES"] } },
      limits: { total: 1 },
    });
    const placed = await placeHold(deps, tenantId, holdRequest(a, { couponCodes: ["FRIES50"] }));
    expect(placed.quote.discount).toBe(200);
    const sale = saleWithHold(tenantId, a, placed.holdId, placed.quote.lines);
    await apply(db, [sale]);
    expect(await couponUses(campaign)).toEqual([{ status: "committed", n: 1n }]);
    // 14 points on the €14 paid, not 16 on the €16 basket.
    expect((await customerBalances(db, tenantId, a)).points).toBe(14);

    // The limit is reached: a till posting the code without a hold gets no use counted.
    await apply(db, [txMessage(tenantId, { customer: { id: b }, couponCodes: ["FRIES50"], lines: basket().lines })]);
    expect(await couponUses(campaign)).toEqual([{ status: "committed", n: 1n }]);

    await apply(db, [
      refundOf(
        tenantId,
        sale,
        sale.transaction.lines.map((l, lineNo) => ({ ...l, lineNo })),
      ),
    ]);
    expect(await couponUses(campaign)).toEqual([{ status: "returned", n: 1n }]);
    // Returned, the coupon can be used again: posted by code this time.
    await apply(db, [txMessage(tenantId, { customer: { id: b }, couponCodes: ["fries50"], lines: basket().lines })]);
    expect(await couponUses(campaign)).toEqual([
      { status: "committed", n: 1n },
      { status: "returned", n: 1n },
    ]);
  });

  it("an anonymous sale's code counts against the coupon's limits, and its full refund gives the use back", async () => {
    const { tenantId, deps } = await checkoutTenant(db);
    const campaign = await genericCoupon(db, tenantId, "ONCE300", {
      benefit: { kind: "fixed_off", amount: 300 },
      limits: { total: 1 },
    });
    const anonymous = () => txMessage(tenantId, { couponCodes: ["ONCE300"], lines: basket().lines });
    const first = anonymous();
    await apply(db, [first]);
    expect(await couponUses(campaign)).toEqual([{ status: "committed", n: 1n }]);
    // The limit is reached: another till's anonymous sale with the code is not counted.
    await apply(db, [anonymous()]);
    expect(await couponUses(campaign)).toEqual([{ status: "committed", n: 1n }]);
    const quote = await quoteCheckout(deps, tenantId, {
      basket: basket(),
      couponCodes: ["ONCE300"],
      rewardIds: [],
      points: 0,
      wallet: 0,
    });
    expect(quote.coupons[0]?.refusal?.code).toBe("limit_reached");

    await apply(db, [
      refundOf(
        tenantId,
        first,
        first.transaction.lines.map((l, lineNo) => ({ ...l, lineNo })),
      ),
    ]);
    expect(await couponUses(campaign)).toEqual([{ status: "returned", n: 1n }]);
  });

  it("a hold racing its expiry and its sale ends exactly one way", async () => {
    for (let round = 0; round < 5; round++) {
      const { tenantId, customers, deps } = await checkoutTenant(db);
      const [c] = customers as [string];
      await givePoints(db, tenantId, c, 100);
      const campaign = await genericCoupon(db, tenantId, `RACE${round}`, {
        benefit: { kind: "fixed_off", amount: 100 },
        limits: { total: 1 },
      });
      const placed = await placeHold(deps, tenantId, holdRequest(c, { points: 50, couponCodes: [`RACE${round}`] }));
      const sale = saleWithHold(tenantId, c, placed.holdId, placed.quote.lines);
      const programme = (await deps.programmes.inForce(tenantId, new Date()))!;
      const later = new Date(Date.now() + 3_600_000);
      await Promise.all([
        apply(db, [sale]),
        releaseExpiredHolds({ db, log: console as never, tenantId, programme, now: later }),
      ]);
      const [hold] = await db.$queryRaw<
        { status: string }[]
      >`SELECT status FROM checkout_holds WHERE id = ${placed.holdId}`;
      const uses = await couponUses(campaign);
      const points = (await customerBalances(db, tenantId, c)).points;
      const paid = sale.transaction.total;
      if (hold!.status === "committed") {
        expect(uses).toEqual([{ status: "committed", n: 1n }]);
        expect(points).toBe(100 - 50 + Math.floor(paid / 100));
      } else {
        // Ended by the sweep first: the sale is rejected (hold_ended), spending and earning nothing.
        expect(hold!.status).toBe("expired");
        expect(uses).toEqual([{ status: "released", n: 1n }]);
        expect(points).toBe(100);
      }
      const [row] = await db.$queryRaw<
        { used_count: bigint }[]
      >`SELECT used_count FROM coupon_campaigns WHERE id = ${campaign}`;
      expect(row!.used_count).toBe(hold!.status === "committed" ? 1n : 0n);
    }
  });

  it("a reward and a coupon together: the hold is all or nothing", async () => {
    const { tenantId, customers, deps } = await checkoutTenant(db);
    const [c] = customers as [string];
    await givePoints(db, tenantId, c, 20);
    await genericCoupon(db, tenantId, "ELSEWHERE", {
      benefit: { kind: "fixed_off", amount: 100 },
      conditions: { locations: ["store-999"] },
    });
    const request = holdRequest(c, {
      basket: basket([line("BURGER", 1200), line("PUFF", 300)]),
      rewardIds: ["veg-puff"],
      couponCodes: ["ELSEWHERE"],
    });
    const refused = await refusal(placeHold(deps, tenantId, request));
    expect(refused.issues).toEqual([{ path: "couponCodes.0", message: expect.stringMatching(/^wrong_location: /) }]);
    const placed = await placeHold(deps, tenantId, { ...request, couponCodes: [] });
    expect(placed.quote.discount).toBe(300);
    expect(placed.quote.points.held).toBe(0);
    expect((await quoteCheckout(deps, tenantId, holdRequest(c))).points).toMatchObject({ held: 20, spendable: 0 });
  });

  it("an anonymous quote applies what needs no customer; an unknown customer is not found", async () => {
    const { tenantId, deps } = await checkoutTenant(db, 0);
    await genericCoupon(db, tenantId, "ANYONE", { benefit: { kind: "fixed_off", amount: 100 } });
    await genericCoupon(db, tenantId, "MEMBERS", {
      benefit: { kind: "fixed_off", amount: 100 },
      limits: { perCustomer: 1 },
    });
    const quote = await quoteCheckout(deps, tenantId, {
      basket: basket(),
      couponCodes: ["ANYONE", "MEMBERS", "NOSUCH"],
      rewardIds: [],
      points: 100,
      wallet: 0,
    });
    expect(quote.coupons.map((c) => [c.code, c.refusal?.code ?? null])).toEqual([
      ["ANYONE", null],
      ["MEMBERS", "customer_required"],
      ["NOSUCH", "unknown_code"],
    ]);
    expect(quote.points.refusal?.code).toBe("customer_required");
    expect(quote.total).toBe(1500);
    const unknown = { ...holdRequest("cus_0000000000nosuchcustomer"), customer: { phone: "+48600999999" } };
    expect((await refusal(quoteCheckout(deps, tenantId, unknown))).code).toBe("not_found");
    expect((await refusal(quoteCheckout(deps, tenantId, holdRequest("cus_0000000000nosuchcustomer")))).code).toBe(
      "not_found",
    );
  });
});
