import type { HoldRequest, TransactionMessage } from "@regulars/contracts";
import type { Db } from "@regulars/db";
import { DomainError } from "@regulars/errors";
import { testDb } from "@regulars/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  customerBalances,
  holdView,
  placeHold,
  releaseExpiredHolds,
  transactionStatus,
  voidHold,
} from "../src/index.ts";
import { refundOf, txMessage } from "./batch-fixtures.ts";
import { apply, basket, checkoutTenant, genericCoupon, holdRequest, saleWithHold } from "./checkout-fixtures.ts";

let db: Db;
beforeAll(() => {
  db = testDb();
});
afterAll(async () => {
  await db?.$disconnect();
});

/** A guest's basket at a kiosk: no customer. */
const guestHold = (extra: Partial<HoldRequest> = {}): HoldRequest => ({
  ...holdRequest("unused", extra),
  customer: undefined,
});

/** The sale a guest's till posts after its hold: the quote's line discounts, the hold and the codes it used. */
const guestSale = (tenantId: string, holdId: string | null, quoteLines: { discount: number }[], codes: string[]) =>
  txMessage(tenantId, {
    channel: "kiosk",
    lines: basket().lines.map((l, i) => ({ ...l, discount: quoteLines[i]?.discount ?? 0 })),
    couponCodes: codes,
    ...(holdId ? { holdId } : {}),
  });

/** FRIES50 limited to 1,000 redemptions, 999 of them used: one use left. */
async function lastUseLeft(tenantId: string) {
  const campaign = await genericCoupon(db, tenantId, "FRIES50", {
    benefit: { kind: "percent_off", percent: 50, match: { skus: ["FRIES"] } },
    limits: { total: 1000 },
  });
  await db.$executeRaw`UPDATE coupon_campaigns SET used_count = 999 WHERE id = ${campaign}`;
  return campaign;
}

const usage = async (campaignId: string) => {
  const [c] = await db.$queryRaw<{ used_count: bigint }[]>`
    SELECT used_count FROM coupon_campaigns WHERE id = ${campaignId}`;
  const uses = await db.$queryRaw<{ status: string; customer_id: string | null }[]>`
    SELECT status, customer_id FROM coupon_uses WHERE campaign_id = ${campaignId} ORDER BY status`;
  return { usedCount: Number(c!.used_count), uses };
};

const codesOf = async (tenantId: string, m: TransactionMessage) => {
  const status = await transactionStatus(db, tenantId, m.transaction.externalId);
  if (status?.status !== "processed") throw new Error(`${m.transaction.externalId} is ${status?.status}`);
  return status.couponCodes;
};

describe("a guest's hold (no customer)", () => {
  it("lets exactly one of two guests reserve a coupon's last use; the other is refused before any discount", async () => {
    const { tenantId, deps } = await checkoutTenant(db);
    const campaign = await lastUseLeft(tenantId);
    const results = await Promise.allSettled([
      placeHold(deps, tenantId, guestHold({ couponCodes: ["FRIES50"] })),
      placeHold(deps, tenantId, guestHold({ couponCodes: ["FRIES50"] })),
    ]);
    const placed = results.flatMap((r) => (r.status === "fulfilled" ? [r.value] : []));
    const refused = results.flatMap((r) => (r.status === "rejected" ? [r.reason as DomainError] : []));
    expect(placed).toHaveLength(1);
    expect(refused).toHaveLength(1);
    expect(refused[0]).toBeInstanceOf(DomainError);
    expect(refused[0]!.code).toBe("hold_refused");
    expect(refused[0]!.issues?.[0]?.message).toMatch(/^limit_reached: /);
    expect(placed[0]!.quote.discount).toBe(200);
    expect(placed[0]!.confirmation).toBeNull();
    expect(await usage(campaign)).toEqual({ usedCount: 1000, uses: [{ status: "held", customer_id: null }] });
    expect(await holdView(db, tenantId, placed[0]!.holdId)).toMatchObject({ customerId: null, status: "held" });

    // Committed by the sale that names it: the use counted once, and the sale's status says so.
    const sale = guestSale(tenantId, placed[0]!.holdId, placed[0]!.quote.lines, ["FRIES50"]);
    await apply(db, [sale]);
    await apply(db, [sale]); // redelivered
    expect(await usage(campaign)).toEqual({ usedCount: 1000, uses: [{ status: "committed", customer_id: null }] });
    expect(await codesOf(tenantId, sale)).toEqual([{ code: "FRIES50", counted: true, refusal: null }]);
    expect(await holdView(db, tenantId, placed[0]!.holdId)).toMatchObject({ status: "committed" });

    // Refunded in full, the use comes back, as a customer's would.
    await apply(db, [
      refundOf(
        tenantId,
        sale,
        sale.transaction.lines.map((l, lineNo) => ({ ...l, lineNo })),
      ),
    ]);
    expect(await usage(campaign)).toEqual({ usedCount: 999, uses: [{ status: "returned", customer_id: null }] });
  });

  it("gives the use back when voided and when it expires", async () => {
    const { tenantId, deps } = await checkoutTenant(db);
    const campaign = await lastUseLeft(tenantId);
    const voided = await placeHold(deps, tenantId, guestHold({ couponCodes: ["FRIES50"] }));
    expect(await voidHold(db, tenantId, voided.holdId)).toEqual({ holdId: voided.holdId, status: "released" });
    expect(await usage(campaign)).toEqual({ usedCount: 999, uses: [{ status: "released", customer_id: null }] });

    const lapsing = await placeHold(deps, tenantId, guestHold({ couponCodes: ["FRIES50"], ttlSeconds: 30 }));
    expect((await usage(campaign)).usedCount).toBe(1000);
    const programme = (await deps.programmes.inForce(tenantId, new Date()))!;
    const afterExpiry = new Date(Date.parse(lapsing.expiresAt) + 1_000);
    const swept = await releaseExpiredHolds({ db, log: console as never, tenantId, programme, now: afterExpiry });
    expect(swept.acted).toBe(1);
    expect(await holdView(db, tenantId, lapsing.holdId)).toMatchObject({ status: "expired" });
    expect((await usage(campaign)).usedCount).toBe(999);
    // The last use is free again for the next guest.
    await placeHold(deps, tenantId, guestHold({ couponCodes: ["FRIES50"] }));
  });

  it("reserves coupon uses only: points and coupons limited per customer need a customer", async () => {
    const { tenantId, deps } = await checkoutTenant(db);
    await genericCoupon(db, tenantId, "ONEEACH", {
      benefit: { kind: "fixed_off", amount: 100 },
      limits: { perCustomer: 1 },
    });
    const pointsRefused = await placeHold(deps, tenantId, guestHold({ points: 100 })).catch((e: DomainError) => e);
    expect((pointsRefused as DomainError).issues?.[0]?.message).toMatch(/^customer_required: /);
    const perCustomer = await placeHold(deps, tenantId, guestHold({ couponCodes: ["ONEEACH"] })).catch(
      (e: DomainError) => e,
    );
    expect((perCustomer as DomainError).issues?.[0]?.message).toMatch(/^customer_required: /);
    // The database holds the line too: a hold without a customer reserves no points or wallet cash.
    await expect(
      db.$executeRaw`
        INSERT INTO checkout_holds (id, tenant_id, customer_id, status, points, wallet, quote, location_id, channel, expires_at)
        VALUES (${`hld_anon${Date.now()}`}, ${tenantId}, NULL, 'held', 100, 0, '{}'::jsonb, 'store-001', 'kiosk', now())`,
    ).rejects.toThrow(/checkout_holds_anonymous_coupons_only/);
  });

  it("is committed by a sale that names a customer after all (a loyalty card shown at payment): the use is theirs", async () => {
    const { tenantId, customers, deps } = await checkoutTenant(db);
    const [c] = customers as [string];
    const campaign = await lastUseLeft(tenantId);
    const placed = await placeHold(deps, tenantId, guestHold({ couponCodes: ["FRIES50"] }));
    const sale = saleWithHold(tenantId, c, placed.holdId, placed.quote.lines, { couponCodes: ["FRIES50"] });
    await apply(db, [sale]);
    expect(await usage(campaign)).toEqual({ usedCount: 1000, uses: [{ status: "committed", customer_id: c }] });
    expect(await codesOf(tenantId, sale)).toEqual([{ code: "FRIES50", counted: true, refusal: null }]);
    // Points earn on the money paid, as with the customer's own hold.
    expect((await customerBalances(db, tenantId, c)).points).toBe(Math.floor(sale.transaction.total / 100));
  });

  it("is not committed by another tenant's sale, nor voided by another tenant", async () => {
    const a = await checkoutTenant(db);
    const b = await checkoutTenant(db);
    const campaign = await lastUseLeft(a.tenantId);
    const placed = await placeHold(a.deps, a.tenantId, guestHold({ couponCodes: ["FRIES50"] }));
    const foreign = guestSale(b.tenantId, placed.holdId, placed.quote.lines, ["FRIES50"]);
    await apply(db, [foreign]);
    // Not a hold of its tenant: the sale is rejected, not processed with the hold's discounts paid by nothing.
    expect(await transactionStatus(db, b.tenantId, foreign.transaction.externalId)).toMatchObject({
      status: "rejected",
      reason: { code: "hold_ended", message: expect.stringContaining("is not a checkout hold of this tenant") },
    });
    await expect(voidHold(db, b.tenantId, placed.holdId)).rejects.toMatchObject({ code: "not_found" });
    expect(await usage(campaign)).toEqual({ usedCount: 1000, uses: [{ status: "held", customer_id: null }] });
  });

  it("a customer's hold stays the customer's: a sale posted without them does not commit it", async () => {
    const { tenantId, customers, deps } = await checkoutTenant(db);
    const [c] = customers as [string];
    const campaign = await lastUseLeft(tenantId);
    const placed = await placeHold(deps, tenantId, holdRequest(c, { couponCodes: ["FRIES50"] }));
    const anonymous = guestSale(tenantId, placed.holdId, placed.quote.lines, ["FRIES50"]);
    await apply(db, [anonymous]);
    // The customer's hold still reserves the last use, so the anonymous sale's code is not counted.
    expect(await usage(campaign)).toEqual({ usedCount: 1000, uses: [{ status: "held", customer_id: c }] });
    expect((await codesOf(tenantId, anonymous))[0]).toMatchObject({ counted: false });
  });
});
