import type { CreatedTenant } from "@regulars/tenancy";
import { testTenant } from "@regulars/testing";
import { beforeAll, describe, expect, it } from "vitest";
import { throttledGateway } from "./throttle-fixture.ts";

/**
 * A basket line's field the contract does not know is refused at the door, naming it, as on a sale's line: dropped, a
 * misspelt field would price another basket than the terminal meant, and the sale posted with the same lines is
 * refused for it anyway, after the hold was placed.
 */
const fixture = throttledGateway();
const { post } = fixture;
let tenant: CreatedTenant;
beforeAll(async () => {
  tenant = await testTenant(fixture.db, "Basket Unknown Fields");
});

const fries = { sku: "FRIES", name: "Fries", quantity: 1, unitPrice: 400, discount: 0, tags: [] };
const basket = (lines: object[]) => ({ locationId: "store-001", channel: "pos", currency: "EUR", lines });

describe("unknown fields on a checkout basket's lines", () => {
  it("a quote with one is refused 400, naming the field and its line", async () => {
    const answer = await post("/v1/checkout/quote", tenant.apiKeys.pos, {
      basket: basket([fries, { ...fries, unit_price: 350 }]),
    });
    expect(answer).toMatchObject({
      status: 400,
      body: {
        code: "invalid_request",
        message: "the request body is invalid: basket.lines.1",
        issues: [{ path: "basket.lines.1", message: 'unknown field: "unit_price"' }],
      },
    });
    expect(await post("/v1/checkout/quote", tenant.apiKeys.pos, { basket: basket([fries]) })).toMatchObject({
      status: 200,
      body: { total: 400 },
    });
  });

  it("a hold too, and a line's `lineNo`, which only a refund line carries", async () => {
    const answer = await post("/v1/checkout/holds", tenant.apiKeys.pos, {
      basket: basket([{ ...fries, lineNo: 0 }]),
      customer: { phone: "+48600100200" },
      couponCodes: ["ANY-CODE"],
      ttlSeconds: 600,
    });
    expect(answer).toMatchObject({
      status: 400,
      body: { code: "invalid_request", issues: [{ path: "basket.lines.0", message: 'unknown field: "lineNo"' }] },
    });
  });

  it("the OpenAPI document says so of a basket line", async () => {
    const doc = (await (await fixture.gateway.request("/v1/openapi.json")).json()) as any;
    expect(doc.components.schemas.BasketLine.additionalProperties).toBe(false);
  });
});
