import type { Db } from "@regulars/db";
import type { DomainError } from "@regulars/errors";
import { testDb } from "@regulars/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type HoldDeps, placeHold, quoteCheckout } from "../src/index.ts";
import { apply, checkoutTenant, genericCoupon, holdRequest, saleWithHold } from "./checkout-fixtures.ts";

let db: Db;
beforeAll(() => {
  db = testDb();
});
afterAll(async () => {
  await db?.$disconnect();
});

/** The deps at a moment of their own: relative to the test's start, never a literal date. */
const at = (deps: HoldDeps, ms: number): HoldDeps => ({ ...deps, now: () => new Date(ms) });

/** A guest's basket: no customer, coupon uses only. */
const guestRequest = (couponCodes: string[], ttlSeconds = 900) => {
  const { customer: _, ...request } = holdRequest("nobody", { couponCodes, ttlSeconds });
  return request;
};

const holdOf = async (holdId: string) =>
  (
    await db.$queryRaw<{ status: string; ended_reason: string | null }[]>`
      SELECT status, ended_reason FROM checkout_holds WHERE id = ${holdId}`
  )[0];

const usesOf = async (campaignId: string) => {
  const [campaign] = await db.$queryRaw<{ used_count: bigint; code_uses: number }[]>`
    SELECT c.used_count, k.uses AS code_uses FROM coupon_campaigns c JOIN coupon_codes k ON k.campaign_id = c.id
    WHERE c.id = ${campaignId}`;
  const byStatus = await db.$queryRaw<{ status: string; n: bigint }[]>`
    SELECT status, count(*) AS n FROM coupon_uses WHERE campaign_id = ${campaignId} GROUP BY status ORDER BY status`;
  return {
    count: Number(campaign!.used_count),
    code: campaign!.code_uses,
    byStatus: Object.fromEntries(byStatus.map((r) => [r.status, Number(r.n)])),
  };
};

const refusalOf = (error: unknown) => (error as DomainError).issues?.[0]?.message.split(":")[0];

describe("a coupon use held by a hold past its expiry, before the expire-holds sweep ran", () => {
  it("is free for another customer; the lapsed hold ends expired and its late sale spends nothing", async () => {
    const { tenantId, customers, deps } = await checkoutTenant(db, 2);
    const [a, b] = customers as [string, string];
    const campaign = await genericCoupon(db, tenantId, "LAST1", {
      benefit: { kind: "fixed_off", amount: 100 },
      limits: { total: 1 },
    });
    const t0 = Date.now();
    const first = await placeHold(at(deps, t0), tenantId, holdRequest(a, { couponCodes: ["LAST1"], ttlSeconds: 30 }));
    // A's sale reached the gateway just before the hold's expiry; the ledger applies it late.
    const lateSale = {
      ...saleWithHold(tenantId, a, first.holdId, first.quote.lines),
      receivedAt: new Date(Date.parse(first.expiresAt) - 1_000).toISOString(),
    };
    // While it is in force, the last use is A's.
    const during = await placeHold(at(deps, t0 + 10_000), tenantId, holdRequest(b, { couponCodes: ["LAST1"] })).catch(
      (e: unknown) => e,
    );
    expect(refusalOf(during)).toBe("limit_reached");

    // 90 s after it lapsed, no sweep yet: the use it held is free again.
    const later = at(deps, t0 + 120_000);
    const quote = await quoteCheckout(later, tenantId, holdRequest(b, { couponCodes: ["LAST1"] }));
    expect(quote.coupons.find((c) => c.code === "LAST1")?.refusal).toBeNull();
    const second = await placeHold(later, tenantId, holdRequest(b, { couponCodes: ["LAST1"] }));
    expect(second.quote.applied.filter((x) => x.source === "coupon").map((x) => x.ref)).toEqual(["LAST1"]);
    // Ended as the sweep ends a hold, not only its use; the counters count B's use alone.
    expect(await holdOf(first.holdId)).toEqual({ status: "expired", ended_reason: "expired" });
    expect(await usesOf(campaign)).toEqual({ count: 1, code: 1, byStatus: { held: 1, released: 1 } });
    // B's hold is in force: now the use is B's, for a guest as for anyone.
    const guest = await placeHold(later, tenantId, guestRequest(["LAST1"])).catch((e: unknown) => e);
    expect(refusalOf(guest)).toBe("limit_reached");

    // A's late sale finds its hold expired (as after the sweep) and takes no second use.
    await apply(db, [lateSale]);
    expect(await holdOf(first.holdId)).toEqual({ status: "expired", ended_reason: "expired" });
    expect(await usesOf(campaign)).toEqual({ count: 1, code: 1, byStatus: { held: 1, released: 1 } });
  });

  it("is free for a guest too, against the daily and per-code limits as well", async () => {
    const { tenantId, deps } = await checkoutTenant(db, 0);
    const campaign = await genericCoupon(db, tenantId, "ONEADAY", {
      benefit: { kind: "fixed_off", amount: 100 },
      limits: { perDay: 1, perCode: 1 },
    });
    const t0 = Date.now();
    const first = await placeHold(at(deps, t0), tenantId, guestRequest(["ONEADAY"], 30));
    const later = at(deps, t0 + 120_000);
    const quote = await quoteCheckout(later, tenantId, guestRequest(["ONEADAY"]));
    expect(quote.coupons.find((c) => c.code === "ONEADAY")?.refusal).toBeNull();
    await placeHold(later, tenantId, guestRequest(["ONEADAY"]));
    expect(await holdOf(first.holdId)).toEqual({ status: "expired", ended_reason: "expired" });
    expect(await usesOf(campaign)).toEqual({ count: 1, code: 1, byStatus: { held: 1, released: 1 } });
  });

  it("ends the whole lapsed hold, with its uses of campaigns the new checkout does not name", async () => {
    const { tenantId, customers, deps } = await checkoutTenant(db, 2);
    const [a, b] = customers as [string, string];
    const last = await genericCoupon(db, tenantId, "LAST1", {
      benefit: { kind: "fixed_off", amount: 100 },
      limits: { total: 1 },
    });
    const other = await genericCoupon(db, tenantId, "OTHER", {
      benefit: { kind: "fixed_off", amount: 50 },
      limits: {},
    });
    const t0 = Date.now();
    const first = await placeHold(
      at(deps, t0),
      tenantId,
      holdRequest(a, { couponCodes: ["OTHER", "LAST1"], ttlSeconds: 30 }),
    );
    await placeHold(at(deps, t0 + 120_000), tenantId, holdRequest(b, { couponCodes: ["LAST1"] }));
    expect(await holdOf(first.holdId)).toEqual({ status: "expired", ended_reason: "expired" });
    expect(await usesOf(last)).toEqual({ count: 1, code: 1, byStatus: { held: 1, released: 1 } });
    expect(await usesOf(other)).toEqual({ count: 0, code: 0, byStatus: { released: 1 } });
  });

  it("no longer counts against its own customer's per-customer limit in a quote", async () => {
    const { tenantId, customers, deps } = await checkoutTenant(db, 1);
    const [a] = customers as [string];
    await genericCoupon(db, tenantId, "ONCEEACH", {
      benefit: { kind: "fixed_off", amount: 100 },
      limits: { perCustomer: 1 },
    });
    const t0 = Date.now();
    await placeHold(at(deps, t0), tenantId, holdRequest(a, { couponCodes: ["ONCEEACH"], ttlSeconds: 30 }));
    const quote = await quoteCheckout(at(deps, t0 + 120_000), tenantId, holdRequest(a, { couponCodes: ["ONCEEACH"] }));
    expect(quote.coupons.find((c) => c.code === "ONCEEACH")?.refusal).toBeNull();
  });
});
