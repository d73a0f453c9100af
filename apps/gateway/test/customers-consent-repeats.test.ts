import type { Db } from "@regulars/db";
import type { CreatedTenant } from "@regulars/tenancy";
import { testTenant } from "@regulars/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startGateway, stopGateway, type TestBus, type TestGateway } from "./gateway-fixture.ts";

/** A consent choice sent again, as the OpenAPI document describes it; the clock moves as the test says. */
let db: Db;
let bus: TestBus;
let tenant: CreatedTenant;
let gateway: TestGateway;
const start = new Date();
let clock = start;
const later = (minutes: number) => new Date(start.getTime() + minutes * 60_000);

beforeAll(async () => {
  ({ db, bus, gateway } = await startGateway({ now: () => clock }));
  tenant = await testTenant(db, "Customer Door Consents");
});
afterAll(() => stopGateway({ gateway, bus, db }));

const call = async (method: string, path: string, body?: unknown) => {
  const res = await gateway.request(path, {
    method,
    headers: { "content-type": "application/json", authorization: `Bearer ${tenant.apiKeys.app}` },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  return { status: res.status, body: text ? (JSON.parse(text) as any) : null };
};
let n = 0;
const apple = () => ({ provider: "apple", subject: `001234.consents.${++n}` });

describe("PUT /v1/customers/{id}/consents, a choice sent again", () => {
  const smsYes = { channel: "sms", purpose: "marketing", granted: true };
  const history = (customerId: string) =>
    db.customerConsent.findMany({ where: { customerId }, orderBy: [{ recordedAt: "asc" }, { id: "asc" }] });
  const announced = (customerId: string) =>
    db.outboxEvent.count({
      where: {
        tenantId: tenant.tenantId,
        type: "consent.changed",
        payload: { path: ["customerId"], equals: customerId },
      },
    });

  it("records the choice in force again as the latest, unannounced; nothing changes in force", async () => {
    clock = start;
    const id = (await call("POST", "/v1/customers", { externalIdentity: apple() })).body.customer.id as string;
    await call("PUT", `/v1/customers/${id}/consents`, { consents: [smsYes], source: "app:onboarding" });
    clock = later(10);
    const again = await call("PUT", `/v1/customers/${id}/consents`, { consents: [smsYes], source: "app:settings" });

    expect(again).toEqual({
      status: 200,
      body: { consents: [{ ...smsYes, source: "app:settings", occurredAt: later(10).toISOString() }] },
    });
    expect((await history(id)).map((c) => [c.granted, c.source, c.occurredAt.toISOString()])).toEqual([
      [true, "app:onboarding", start.toISOString()],
      [true, "app:settings", later(10).toISOString()],
    ]);
    expect(await announced(id)).toBe(1);
  });

  it("records a retry with the same occurredAt once, and an older different choice as history only", async () => {
    clock = later(20);
    const id = (await call("POST", "/v1/customers", { externalIdentity: apple() })).body.customer.id as string;
    const choice = { consents: [smsYes], occurredAt: later(19).toISOString() };
    await call("PUT", `/v1/customers/${id}/consents`, choice);
    clock = later(21);
    await call("PUT", `/v1/customers/${id}/consents`, choice);
    expect(await history(id)).toHaveLength(1);

    const older = await call("PUT", `/v1/customers/${id}/consents`, {
      consents: [{ ...smsYes, granted: false }],
      occurredAt: later(5).toISOString(),
    });
    expect(older.body.consents).toEqual([expect.objectContaining({ granted: true })]);
    expect((await history(id)).map((c) => c.granted)).toEqual([true, false]);
    const sameButOlder = { consents: [smsYes], occurredAt: later(6).toISOString() };
    await call("PUT", `/v1/customers/${id}/consents`, sameButOlder);
    expect(await history(id)).toHaveLength(2);
    expect(await announced(id)).toBe(1);
  });
});
