import type { ApiKeyRole } from "@regulars/contracts";
import { CouponCampaignConfig } from "@regulars/contracts";
import type { Db } from "@regulars/db";
import { newId } from "@regulars/ids";
import type { CreatedTenant } from "@regulars/tenancy";
import { saleBody, testTenant } from "@regulars/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { postJson, startGateway, stopGateway, type TestBus, type TestGateway } from "./gateway-fixture.ts";

/**
 * A basket's `channel` is checked against coupons limited to channels (`wrong_channel`), and the sale naming a hold
 * must be of the hold's channel, so a quote or hold is bounded by the key as its sale is (`transactionChannelsOfRole`):
 * a kiosk key checks out `kiosk` baskets only, a pos key never `kiosk`. Otherwise a kiosk key, lifted from public
 * hardware, learns and reserves the app's coupons. A real bus and database.
 */
let db: Db;
let bus: TestBus;
let tenant: CreatedTenant;
let gateway: TestGateway;

beforeAll(async () => {
  ({ db, bus, gateway } = await startGateway());
  tenant = await testTenant(db, "Checkout Channel Roles");
  await appOnlyCoupon(tenant.tenantId);
});
afterAll(() => stopGateway({ gateway, bus, db }));

const post = (role: ApiKeyRole, path: string, body: unknown) => postJson(gateway, tenant.apiKeys[role], path, body);

const lines = [{ sku: "FRIES", name: "Fries", quantity: 1, unitPrice: 400, discount: 0, tags: [] }];
const checkout = (channel: string) => ({
  basket: { locationId: "store-017", channel, currency: "EUR", lines },
  couponCodes: ["APPFRIES"],
});

/** APPFRIES: half off fries, in the app only. */
async function appOnlyCoupon(tenantId: string) {
  const config = CouponCampaignConfig.parse({
    name: "Half fries in the app",
    codes: { kind: "generic", code: "APPFRIES" },
    benefit: { kind: "percent_off", percent: 50, match: { skus: ["FRIES"] } },
    conditions: { channels: ["app"] },
  });
  const id = newId("couponCampaign");
  await db.$executeRaw`
    INSERT INTO coupon_campaigns (id, tenant_id, name, status, config)
    VALUES (${id}, ${tenantId}, ${config.name}, 'active', ${JSON.stringify(config)}::jsonb)`;
  await db.$executeRaw`
    INSERT INTO coupon_codes (tenant_id, code, campaign_id, source) VALUES (${tenantId}, 'APPFRIES', ${id}, 'generic')`;
}

const holdCount = async () => db.checkoutHold.count({ where: { tenantId: tenant.tenantId } });

describe("POST /v1/checkout/quote and /v1/checkout/holds", () => {
  it("refuses a kiosk key's basket of another channel, naming basket.channel, and reserves nothing", async () => {
    const refusal = {
      status: 403,
      body: {
        code: "channel_not_allowed",
        message: expect.stringContaining("a kiosk key posts transactions of channel kiosk only, not app"),
        issues: [{ path: "basket.channel", message: "must be kiosk for a kiosk key" }],
        requestId: expect.any(String),
      },
    };
    expect(await post("kiosk", "/v1/checkout/quote", checkout("app"))).toEqual(refusal);
    const before = await holdCount();
    expect(await post("kiosk", "/v1/checkout/holds", checkout("app"))).toEqual(refusal);
    expect(await holdCount()).toBe(before);
  });

  it("refuses a pos key's kiosk basket", async () => {
    for (const path of ["/v1/checkout/quote", "/v1/checkout/holds"])
      expect(await post("pos", path, checkout("kiosk"))).toMatchObject({
        status: 403,
        body: { code: "channel_not_allowed", issues: [{ path: "basket.channel" }] },
      });
  });

  it("prices a key's own channels: the kiosk hears wrong_channel, an ordering integration's app basket gets it", async () => {
    const atKiosk = await post("kiosk", "/v1/checkout/quote", checkout("kiosk"));
    expect(atKiosk.status).toBe(200);
    expect(atKiosk.body.discount).toBe(0);
    expect(JSON.stringify(atKiosk.body)).toContain("wrong_channel");
    const inApp = await post("pos", "/v1/checkout/quote", checkout("app"));
    expect(inApp).toMatchObject({ status: 200, body: { discount: 200, total: 200 } });
  });

  it("commits an app hold with an app sale only: a kiosk sale naming it is refused hold_mismatch", async () => {
    const held = await post("pos", "/v1/checkout/holds", { ...checkout("app"), ttlSeconds: 300 });
    expect(held).toMatchObject({ status: 201, body: { quote: { discount: 200 } } });
    const { holdId } = held.body;
    const paid = [{ ...lines[0]!, discount: 200 }];
    const atKiosk = saleBody({ channel: "kiosk", lines: paid, couponCodes: ["APPFRIES"], holdId });
    expect(await post("kiosk", "/v1/transactions", atKiosk)).toMatchObject({
      status: 409,
      body: { code: "hold_mismatch", issues: [{ path: "channel", message: "is kiosk; the hold was placed on app" }] },
    });
    const inApp = saleBody({ channel: "app", lines: paid, couponCodes: ["APPFRIES"], holdId });
    expect(await post("kiosk", "/v1/transactions", inApp)).toMatchObject({
      status: 403,
      body: { code: "channel_not_allowed" },
    });
    expect(await post("pos", "/v1/transactions", inApp)).toMatchObject({ status: 202 });
  });

  it("says so in the OpenAPI document", async () => {
    const doc = (await (await gateway.request("/v1/openapi.json")).json()) as any;
    for (const path of ["/v1/checkout/quote", "/v1/checkout/holds"]) {
      const operation = doc.paths[path].post;
      expect(operation.description).toContain("channel_not_allowed");
      expect(operation.responses["403"].content["application/json"].example.code).toBe("channel_not_allowed");
    }
  });
});
