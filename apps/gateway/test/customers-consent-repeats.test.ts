import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type CustomersDoor, startCustomersDoor } from "./customers-door.ts";

/** A consent choice sent again, as the OpenAPI document describes it; the clock moves as the test says. */
let door: CustomersDoor;
const start = new Date();
let clock = start;
const later = (minutes: number) => new Date(start.getTime() + minutes * 60_000);

beforeAll(async () => {
  door = await startCustomersDoor({ tenantName: "Customer Door Consents", subjects: "consents", now: () => clock });
});
afterAll(() => door?.stop());

describe("PUT /v1/customers/{id}/consents, a choice sent again", () => {
  const smsYes = { channel: "sms", purpose: "marketing", granted: true };
  const history = (customerId: string) =>
    door.db.customerConsent.findMany({ where: { customerId }, orderBy: [{ recordedAt: "asc" }, { id: "asc" }] });
  const announced = (customerId: string) =>
    door.db.outboxEvent.count({
      where: {
        tenantId: door.tenant.tenantId,
        type: "consent.changed",
        payload: { path: ["customerId"], equals: customerId },
      },
    });

  it("records the choice in force again as the latest, unannounced; nothing changes in force", async () => {
    clock = start;
    const id = (await door.call("POST", "/v1/customers", { externalIdentity: door.appleIdentity() })).body.customer
      .id as string;
    await door.call("PUT", `/v1/customers/${id}/consents`, { consents: [smsYes], source: "app:onboarding" });
    clock = later(10);
    const again = await door.call("PUT", `/v1/customers/${id}/consents`, {
      consents: [smsYes],
      source: "app:settings",
    });

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
    const id = (await door.call("POST", "/v1/customers", { externalIdentity: door.appleIdentity() })).body.customer
      .id as string;
    const choice = { consents: [smsYes], occurredAt: later(19).toISOString() };
    await door.call("PUT", `/v1/customers/${id}/consents`, choice);
    clock = later(21);
    await door.call("PUT", `/v1/customers/${id}/consents`, choice);
    expect(await history(id)).toHaveLength(1);

    const older = await door.call("PUT", `/v1/customers/${id}/consents`, {
      consents: [{ ...smsYes, granted: false }],
      occurredAt: later(5).toISOString(),
    });
    expect(older.body.consents).toEqual([expect.objectContaining({ granted: true })]);
    expect((await history(id)).map((c) => c.granted)).toEqual([true, false]);
    const sameButOlder = { consents: [smsYes], occurredAt: later(6).toISOString() };
    await door.call("PUT", `/v1/customers/${id}/consents`, sameButOlder);
    expect(await history(id)).toHaveLength(2);
    expect(await announced(id)).toBe(1);
  });
});
