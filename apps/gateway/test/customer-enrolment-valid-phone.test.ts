import type { Db } from "@regulars/db";
import { outboxEventsOf } from "@regulars/ledger-store";
import type { CreatedTenant } from "@regulars/tenancy";
import { testTenant } from "@regulars/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { postJson, startGateway, stopGateway, type TestBus, type TestGateway } from "./gateway-fixture.ts";

/**
 * `POST /v1/customers/enrolments` signs a person up: a number outside its country's numbering plan (a digit short) is
 * a typo they can be asked to retype, not an account that would never get an SMS. Real services.
 */
let db: Db;
let bus: TestBus;
let tenant: CreatedTenant;
let gateway: TestGateway;

beforeAll(async () => {
  ({ db, bus, gateway } = await startGateway());
  tenant = await testTenant(db, "Enrolment Valid Phone");
});
afterAll(() => stopGateway({ gateway, bus, db }));

const enrol = (phone: string, key = tenant.apiKeys.kiosk) =>
  postJson(gateway, key, "/v1/customers/enrolments", { phone, locationId: "store-017", consents: [] });
const customersOf = (tenantId: string) => db.customer.count({ where: { tenantId } });

describe("enrolling requires a valid phone number", () => {
  it("refuses a Polish mobile a digit short (400 naming `phone`) and creates nobody", async () => {
    // Possible (a sale naming it is taken) but not valid: Polish mobiles have 9 digits.
    for (const key of [tenant.apiKeys.kiosk, tenant.apiKeys.pos]) {
      expect(await enrol("+4860090000", key)).toEqual({
        status: 400,
        body: expect.objectContaining({
          code: "invalid_request",
          message: expect.stringMatching(/not valid/),
          issues: [{ path: "phone", message: expect.stringMatching(/not a valid number in PL/) }],
        }),
      });
    }
    expect(await customersOf(tenant.tenantId)).toBe(0);
    expect(await outboxEventsOf(db, tenant.tenantId, "customer.created")).toEqual([]);
  });

  it("still enrols the number once retyped in full (201)", async () => {
    const joined = await enrol("+48600900000");
    expect(joined).toMatchObject({ status: 201, body: { created: true } });
    expect(await db.customer.findUniqueOrThrow({ where: { id: joined.body.customerId } })).toMatchObject({
      phone: "+48600900000",
      createdVia: "kiosk",
    });
  });

  it("says so in the OpenAPI document", async () => {
    const doc = (await (await gateway.request("/v1/openapi.json")).json()) as any;
    const phone = doc.components.schemas.EnrolCustomerRequest.properties.phone;
    expect(phone.description).toMatch(/valid number/);
  });
});
