import { CouponCampaignConfig } from "@regulars/contracts";
import type { Db } from "@regulars/db";
import { newId } from "@regulars/ids";
import type { CreatedTenant } from "@regulars/tenancy";
import { testTenant } from "@regulars/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startGateway, stopGateway, type TestBus, type TestGateway } from "./gateway-fixture.ts";

/** `POST /v1/checkout/holds` for a guest's basket (no customer): it reserves the coupon's use, under the same throttle. */
let db: Db;
let bus: TestBus;
let tenant: CreatedTenant;
let gateway: TestGateway;
const unknownCodeLimit = { limit: 3, windowSeconds: 60 };

beforeAll(async () => {
  ({ db, bus, gateway } = await startGateway({ unknownCodeLimit }));
  tenant = await testTenant(db, "Guest Holds Kiosk");
});
afterAll(() => stopGateway({ gateway, bus, db }));

const call = async (method: string, path: string, key: string, body?: unknown) => {
  const res = await gateway.request(path, {
    method,
    headers: { "content-type": "application/json", authorization: `Bearer ${key}` },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: res.status, body: (await res.json()) as any };
};
const basket = {
  locationId: "store-001",
  channel: "kiosk",
  currency: "EUR",
  lines: [{ sku: "FRIES", name: "Fries", quantity: 1, unitPrice: 400, discount: 0, tags: [] }],
};
/** The same basket at the till: the key bounds the basket's channel as it does a sale's. */
const tillBasket = { ...basket, channel: "pos" };

/** FRIES50 with one use left of its 1,000, as the admin store writes a generic code. */
async function lastUseLeft(tenantId: string) {
  const config = CouponCampaignConfig.parse({
    name: "Half fries",
    codes: { kind: "generic", code: "FRIES50" },
    benefit: { kind: "percent_off", percent: 50, match: { skus: ["FRIES"] } },
    limits: { total: 1000 },
  });
  const id = newId("couponCampaign");
  await db.$executeRaw`
    INSERT INTO coupon_campaigns (id, tenant_id, name, status, config, used_count)
    VALUES (${id}, ${tenantId}, ${config.name}, 'active', ${JSON.stringify(config)}::jsonb, 999)`;
  await db.$executeRaw`
    INSERT INTO coupon_codes (tenant_id, code, campaign_id, source) VALUES (${tenantId}, 'FRIES50', ${id}, 'generic')`;
}

describe("a guest's checkout hold", () => {
  it("reserves a coupon's last use for one guest; the next is refused until the first is voided", async () => {
    await lastUseLeft(tenant.tenantId);
    const kiosk = tenant.apiKeys.kiosk;
    const first = await call("POST", "/v1/checkout/holds", kiosk, {
      basket,
      couponCodes: ["fries50"],
      ttlSeconds: 300,
    });
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({ confirmation: null, quote: { discount: 200, total: 200 } });

    const second = await call("POST", "/v1/checkout/holds", tenant.apiKeys.pos, {
      basket: tillBasket,
      couponCodes: ["FRIES50"],
    });
    expect(second).toMatchObject({ status: 409, body: { code: "hold_refused" } });
    expect(second.body.issues[0].message).toMatch(/^limit_reached: /);

    expect(await call("DELETE", `/v1/checkout/holds/${first.body.holdId}`, kiosk)).toMatchObject({
      status: 200,
      body: { holdId: first.body.holdId, status: "released" },
    });
    expect(
      (await call("POST", "/v1/checkout/holds", tenant.apiKeys.pos, { basket: tillBasket, couponCodes: ["FRIES50"] }))
        .status,
    ).toBe(201);
  });

  it("reserves no points, and counts a guest's unknown codes against the key like any hold's", async () => {
    const till = tenant.apiKeys.pos;
    const points = await call("POST", "/v1/checkout/holds", till, { basket: tillBasket, points: 100 });
    expect(points).toMatchObject({ status: 409, body: { code: "hold_refused" } });
    expect(points.body.issues[0].path).toBe("points");
    for (let i = 0; i < unknownCodeLimit.limit; i++)
      expect(
        (await call("POST", "/v1/checkout/holds", till, { basket: tillBasket, couponCodes: [`GUESS-${i}X`] })).status,
      ).toBe(409);
    expect(
      (await call("POST", "/v1/checkout/holds", till, { basket: tillBasket, couponCodes: ["GUESS-NEXT"] })).status,
    ).toBe(429);
  });

  it("says so in the OpenAPI document: the hold request's customer is optional", async () => {
    const doc = (await (await gateway.request("/v1/openapi.json")).json()) as any;
    const request = doc.components.schemas.HoldRequest;
    expect(request.required ?? []).not.toContain("customer");
    expect(request.properties.customer.description).toContain("guest");
  });
});
