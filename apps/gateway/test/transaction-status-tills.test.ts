import type { Db } from "@regulars/db";
import type { CreatedTenant } from "@regulars/tenancy";
import { saleBody, testTenant } from "@regulars/testing";
import { afterAll, beforeAll, expect, it } from "vitest";
import {
  applyLastStored,
  baseRateProgramme,
  startGateway,
  stopGateway,
  type TestBus,
  type TestGateway,
} from "./gateway-fixture.ts";

/**
 * `GET /v1/transactions/{externalId}` answers pos and kiosk keys only, and any of the tenant's tills may ask about any
 * `externalId` (often sequential). The key that posted a sale is not kept with it, so no answer says whose sale it
 * was: the status, the points, the balance its receipt prints and the timestamps only.
 */
const clock = { now: new Date() };
let db: Db;
let bus: TestBus;
let gateway: TestGateway;
let tenant: CreatedTenant;

beforeAll(async () => {
  ({ db, bus, gateway } = await startGateway({ now: () => clock.now }));
  tenant = await testTenant(db, "Status Tills Diner");
  await baseRateProgramme(db, tenant.tenantId);
});
afterAll(() => stopGateway({ gateway, bus, db }));

const call = async (key: string, method: "GET" | "POST", path: string, body?: unknown) => {
  const res = await gateway.request(path, {
    method,
    headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: res.status, body: (await res.json()) as any };
};

it("tells another till, and the one that posted it, a processed sale's status and balance but not its customer", async () => {
  const phone = "+48600777101";
  const sale = saleBody({ customer: { phone } });
  const posted = await call(tenant.apiKeys.pos, "POST", "/v1/transactions", sale);
  expect(posted).toMatchObject({ status: 202 });
  await applyLastStored(db, bus, clock);
  const { id: customerId } = await db.customer.findFirstOrThrow({ where: { tenantId: tenant.tenantId, phone } });

  for (const key of [tenant.apiKeys.kiosk, tenant.apiKeys.pos]) {
    const answer = await call(key, "GET", `/v1/transactions/${sale.externalId}`);
    expect(answer).toEqual({
      status: 200,
      body: {
        status: "processed",
        externalId: sale.externalId,
        id: posted.body.id,
        type: "sale",
        occurredAt: expect.any(String),
        processedAt: expect.any(String),
        pointsAwarded: expect.any(Number),
        balance: { points: expect.any(Number), pending: expect.any(Number) },
        conflicts: 0,
        couponCodes: [],
      },
    });
    expect(JSON.stringify(answer.body)).not.toContain(customerId);
  }
});

it("documents the customer of a processed status as optional, and why", async () => {
  const doc = (await (await gateway.request("/v1/openapi.json")).json()) as any;
  const processed = doc.components.schemas.TransactionProcessed;
  expect(processed.required).not.toContain("customerId");
  expect(processed.required).toEqual(expect.arrayContaining(["status", "externalId", "id", "pointsAwarded"]));
  expect(JSON.stringify(processed.properties.customerId)).toContain("Omitted in answers to pos and kiosk keys");
});
