import type { Db } from "@regulars/db";
import { DomainError } from "@regulars/errors";
import { testDb } from "@regulars/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { placeHold, quoteCheckout } from "../src/index.ts";
import { basket, checkoutTenant, genericCoupon, givePoints, holdRequest } from "./checkout-fixtures.ts";

let db: Db;
beforeAll(() => {
  db = testDb();
});
afterAll(async () => {
  await db?.$disconnect();
});

const failure = (p: Promise<unknown>) =>
  p.then(
    () => null,
    (e: unknown) => e,
  );

const wrongCurrency = {
  code: "invalid_request",
  issues: [{ path: "basket.currency", message: "must be EUR, the currency of this tenant" }],
};

describe("a basket in another currency than the tenant's", () => {
  it("is refused by the quote and the hold, and the hold reserves nothing", async () => {
    const { tenantId, customers, deps } = await checkoutTenant(db);
    const [c] = customers as [string];
    await givePoints(db, tenantId, c, 300);
    const campaign = await genericCoupon(db, tenantId, "YEN3", { benefit: { kind: "fixed_off", amount: 300 } });
    const inYen = holdRequest(c, { basket: { ...basket(), currency: "JPY" }, points: 100, couponCodes: ["YEN3"] });

    const quoted = await failure(quoteCheckout(deps, tenantId, inYen));
    expect(quoted).toBeInstanceOf(DomainError);
    expect(quoted).toMatchObject(wrongCurrency);
    const held = await failure(placeHold(deps, tenantId, inYen));
    expect(held).toBeInstanceOf(DomainError);
    expect(held).toMatchObject(wrongCurrency);

    const [row] = await db.$queryRaw<{ holds: bigint; uses: bigint; used_count: bigint }[]>`
      SELECT (SELECT count(*) FROM checkout_holds WHERE tenant_id = ${tenantId}) AS holds,
             (SELECT count(*) FROM coupon_uses WHERE tenant_id = ${tenantId}) AS uses,
             (SELECT used_count FROM coupon_campaigns WHERE id = ${campaign}) AS used_count`;
    expect(row).toEqual({ holds: 0n, uses: 0n, used_count: 0n });
    // The same basket in euros is held as before.
    const placed = await placeHold(deps, tenantId, { ...inYen, basket: basket() });
    expect(placed.quote.points.applied).toBe(100);
  });
});
