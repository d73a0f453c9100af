import { CouponCampaignConfig } from "@regulars/contracts";
import type { Db } from "@regulars/db";
import { newId } from "@regulars/ids";
import type { CreatedTenant } from "@regulars/tenancy";
import { testTenant } from "@regulars/testing";
import { beforeAll, describe, expect, it } from "vitest";
import { throttledGateway } from "./throttle-fixture.ts";

/**
 * A sale naming a checkout hold that is held must be the basket the hold was priced on (its location, and its lines
 * in number and order, each with the sku and quantity it was quoted with): another one would spend the hold's points and coupons on less. It is
 * refused before anything is stored, naming the first difference. A hold that ended (released, expired, past its
 * expiry) or is unknown to the tenant reserves nothing: a sale naming it is refused with `hold_ended`, whatever its basket.
 */
const fixture = throttledGateway();
const { clock, post, lastSeq } = fixture;
let db: Db;
let tenant: CreatedTenant;
let other: CreatedTenant;
beforeAll(async () => {
  db = fixture.db;
  tenant = await testTenant(db, "Hold Basket Diner");
  other = await testTenant(db, "Hold Basket Other");
});

const line = (sku: string, quantity: number, unitPrice: number, discount = 0) => ({
  sku,
  name: sku,
  quantity,
  unitPrice,
  discount,
});
/** A burger and two fries at store-017; the hold took €4 off the burger. */
const quoted = [line("BURGER", 1, 1200, 400), line("FRIES", 2, 200)];

let holds = 0;
/** Each hold `holdOn` stored, by id, with its customer: a sale naming it is that customer's, as the ledger wants. */
const customerOf = new Map<string, string>();
const sale: typeof fixture.sale = (codes, overrides = {}) => {
  const customerId = customerOf.get(overrides.holdId as string);
  // A kiosk's sale, as its holds are the kiosk's: the key decides the channel.
  const customer = customerId ? { customer: { id: customerId } } : {};
  return fixture.sale(codes, { channel: "kiosk", ...customer, ...overrides });
};

/** A hold as `placeHold` stores one: its quote's lines (discount and what is left to pay) and its basket's location. */
async function holdOn(
  tenantId: string,
  opts: { status?: string; expiresInSeconds?: number; transactionId?: string | null } = {},
) {
  const customerId = newId("customer");
  ++holds;
  await db.$executeRaw`INSERT INTO customers (id, tenant_id, created_via) VALUES (${customerId}, ${tenantId}, 'kiosk')`;
  const id = `hld_basket_${Date.now().toString(36)}_${holds}`;
  const lines = quoted.map((l, lineNo) => ({
    lineNo,
    discount: l.discount,
    amount: l.quantity * l.unitPrice - l.discount,
  }));
  const quote = { applied: [{ source: "points", ref: null, amount: 400, points: 80 }], lines, total: 1200 };
  await db.$executeRaw`
    INSERT INTO checkout_holds (id, tenant_id, customer_id, status, points, quote, location_id, channel, expires_at, transaction_id)
    VALUES (${id}, ${tenantId}, ${customerId}, ${opts.status ?? "held"}, 80, ${JSON.stringify(quote)}::jsonb, 'store-017',
            'kiosk', ${new Date(clock.now.getTime() + (opts.expiresInSeconds ?? 600) * 1000)}, ${opts.transactionId ?? null})`;
  customerOf.set(id, customerId);
  return id;
}

/** FRIES50: half off fries, a generic code as the admin store writes one. */
async function friesCoupon(tenantId: string) {
  const config = CouponCampaignConfig.parse({
    name: "Half fries",
    codes: { kind: "generic", code: "FRIES50" },
    benefit: { kind: "percent_off", percent: 50, match: { skus: ["FRIES"] } },
  });
  const id = newId("couponCampaign");
  await db.$executeRaw`
    INSERT INTO coupon_campaigns (id, tenant_id, name, status, config)
    VALUES (${id}, ${tenantId}, ${config.name}, 'active', ${JSON.stringify(config)}::jsonb)`;
  await db.$executeRaw`
    INSERT INTO coupon_codes (tenant_id, code, campaign_id, source) VALUES (${tenantId}, 'FRIES50', ${id}, 'generic')`;
}

describe("a sale naming a held checkout hold", () => {
  it("is refused with hold_mismatch when it is not the hold's basket, naming the first difference", async () => {
    const holdId = await holdOn(tenant.tenantId);
    const before = await lastSeq();

    // The burger was taken off the order after the hold.
    const friesOnly = await post("/v1/transactions", tenant.apiKeys.kiosk, sale([], { holdId, lines: [quoted[1]] }));
    expect(friesOnly).toMatchObject({
      status: 409,
      body: {
        code: "hold_mismatch",
        message: expect.stringContaining(`void the hold (DELETE /v1/checkout/holds/${holdId}), quote`),
        issues: [
          {
            path: "lines.0",
            message: "costs 400 before discounts (quantity × unitPrice); the hold priced line 0 at 1200",
          },
        ],
      },
    });
    const oneFries = [quoted[0], line("FRIES", 1, 200)];
    expect(await post("/v1/transactions", tenant.apiKeys.kiosk, sale([], { holdId, lines: oneFries }))).toMatchObject({
      status: 409,
      body: { code: "hold_mismatch", issues: [{ path: "lines.1" }] },
    });
    expect(
      await post("/v1/transactions", tenant.apiKeys.kiosk, sale([], { holdId, lines: [quoted[0]] })),
    ).toMatchObject({
      status: 409,
      body: { issues: [{ path: "lines.1", message: "is missing: the hold was priced on 2 lines, the sale has 1" }] },
    });
    const elsewhere = sale([], { holdId, lines: quoted, locationId: "store-018" });
    expect(await post("/v1/transactions", tenant.apiKeys.kiosk, elsewhere)).toMatchObject({
      status: 409,
      body: { issues: [{ path: "locationId", message: "is store-018; the hold was placed at store-017" }] },
    });
    expect(await lastSeq()).toBe(before);

    // Its own basket, quantity and price as quoted, is accepted.
    const paid = await post("/v1/transactions", tenant.apiKeys.kiosk, sale([], { holdId, lines: quoted }));
    expect(paid).toMatchObject({ status: 202, body: { status: "accepted", duplicate: false } });
    expect(await lastSeq()).toBe(before + 1);
  });

  it("is refused when a line is another item of the same price, or another quantity, than the hold was placed on", async () => {
    await friesCoupon(tenant.tenantId);
    const basket = { locationId: "store-017", channel: "kiosk", currency: "EUR", lines: quoted };
    const placed = await post("/v1/checkout/holds", tenant.apiKeys.kiosk, {
      basket,
      couponCodes: ["FRIES50"],
      ttlSeconds: 300,
    });
    expect(placed).toMatchObject({ status: 201, body: { quote: { discount: 200 } } });
    const holdId = placed.body.holdId as string;
    const before = await lastSeq();

    // Two shakes at the fries' price: the same money, but not the items the hold's discounts were priced on.
    const shakes = [quoted[0], line("SHAKE", 2, 200)];
    expect(await post("/v1/transactions", tenant.apiKeys.kiosk, sale([], { holdId, lines: shakes }))).toMatchObject({
      status: 409,
      body: {
        code: "hold_mismatch",
        issues: [{ path: "lines.1.sku", message: "is SHAKE; the hold priced line 1 as FRIES" }],
      },
    });
    const oneLargeFries = [quoted[0], line("FRIES", 1, 400)];
    expect(
      await post("/v1/transactions", tenant.apiKeys.kiosk, sale([], { holdId, lines: oneLargeFries })),
    ).toMatchObject({ status: 409, body: { issues: [{ path: "lines.1.quantity" }] } });
    expect(await lastSeq()).toBe(before);

    const paid = await post("/v1/transactions", tenant.apiKeys.kiosk, sale([], { holdId, lines: quoted }));
    expect(paid).toMatchObject({ status: 202, body: { status: "accepted", duplicate: false } });
  });

  it("is refused on its own in a batch, the other transactions accepted", async () => {
    const [first, second] = [await holdOn(tenant.tenantId), await holdOn(tenant.tenantId)];
    const batch = await post("/v1/transactions/batch", tenant.apiKeys.kiosk, {
      transactions: [
        sale([], { holdId: first, lines: [quoted[1], quoted[0]] }),
        sale([], { holdId: second, lines: quoted }),
        sale([], { lines: [quoted[1]] }),
      ],
    });
    expect(batch).toMatchObject({
      status: 202,
      body: {
        accepted: 2,
        invalid: 1,
        results: [
          {
            index: 0,
            status: "invalid",
            error: { code: "hold_mismatch", message: expect.stringContaining(first), issues: [{ path: "lines.0" }] },
          },
          { index: 1, status: "accepted" },
          { index: 2, status: "accepted" },
        ],
      },
    });
  });

  // Once left to the ledger, which committed none of these holds and processed the sale as if they had paid its
  // discounts: such a sale is refused now, as the ledger rejects one that gets past (`hold_ended`).
  it("is refused with hold_ended when the hold was released, expired, is past its expiry, another tenant's or unknown", async () => {
    const friesOnly = (holdId: string) => sale([], { holdId, lines: [quoted[1]] });
    const ended: [string, string][] = [
      [await holdOn(tenant.tenantId, { status: "released" }), "was released"],
      [await holdOn(tenant.tenantId, { status: "expired" }), "expired at"],
      [await holdOn(tenant.tenantId, { expiresInSeconds: -5 }), "expired at"],
      [await holdOn(other.tenantId), "is not a checkout hold of this tenant"],
      ["hld_no_such_hold", "is not a checkout hold of this tenant"],
    ];
    const before = await lastSeq();
    for (const [holdId, how] of ended)
      expect(await post("/v1/transactions", tenant.apiKeys.kiosk, friesOnly(holdId))).toMatchObject({
        status: 409,
        body: {
          code: "hold_ended",
          message: expect.stringContaining(`hold ${holdId} ${how}`),
          issues: [{ path: "holdId" }],
        },
      });
    const batch = await post("/v1/transactions/batch", tenant.apiKeys.kiosk, {
      transactions: [friesOnly(ended[2]![0]), sale([], { lines: [quoted[1]] }), friesOnly(ended[4]![0])],
    });
    expect(batch).toMatchObject({
      status: 202,
      body: {
        accepted: 1,
        invalid: 2,
        results: [
          { index: 0, status: "invalid", error: { code: "hold_ended", message: expect.stringContaining("expired") } },
          { index: 1, status: "accepted" },
          { index: 2, status: "invalid", error: { code: "hold_ended" } },
        ],
      },
    });
    expect(await lastSeq()).toBe(before + 1);
  });

  it("is refused with hold_used when the hold was committed to another sale, whatever its basket", async () => {
    const holdId = await holdOn(tenant.tenantId, { status: "committed", transactionId: "txn_another_sale" });
    const before = await lastSeq();
    for (const lines of [quoted, [quoted[1]]])
      expect(await post("/v1/transactions", tenant.apiKeys.kiosk, sale([], { holdId, lines }))).toMatchObject({
        status: 409,
        body: { code: "hold_used", message: expect.stringContaining(`hold ${holdId} was committed to`) },
      });
    expect(await lastSeq()).toBe(before);
  });

  it("is answered as a repeat when it was stored before the check refused it", async () => {
    const holdId = await holdOn(tenant.tenantId);
    const posted = sale([], { holdId, lines: quoted });
    expect((await post("/v1/transactions", tenant.apiKeys.kiosk, posted)).status).toBe(202);
    // The hold ended after its sale was stored (released here by hand): the retry is a repeat, not hold_ended.
    await db.$executeRaw`UPDATE checkout_holds SET status = 'released', claimed_at = NULL WHERE id = ${holdId}`;
    expect(await post("/v1/transactions", tenant.apiKeys.kiosk, posted)).toMatchObject({
      status: 202,
      body: { duplicate: true },
    });
  });
});
