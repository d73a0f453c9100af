import type { Db } from "@regulars/db";
import type { CreatedTenant } from "@regulars/tenancy";
import { testTenant } from "@regulars/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startGateway, stopGateway, type TestBus, type TestGateway } from "./gateway-fixture.ts";

/** `/v1/customers…` by the id of a customer merged into an app account; an in-process gateway over real services. */
let db: Db;
let bus: TestBus;
let tenant: CreatedTenant;
let gateway: TestGateway;
const now = new Date();

beforeAll(async () => {
  ({ db, bus, gateway } = await startGateway({ now: () => now }));
  tenant = await testTenant(db, "Customer Door Merged");
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
const apple = () => ({ provider: "apple", subject: `001234.merged.${++n}` });

describe("a merged-away customer id", () => {
  it("reads as the account it was merged into, as changes by it are made there", async () => {
    const phoneOnly = await call("POST", "/v1/customers", { phone: "+48 604 300 001", phoneVerified: true, name: "A" });
    expect(phoneOnly.status).toBe(201);
    const merged = phoneOnly.body.customer.id as string;
    const app = (await call("POST", "/v1/customers", { externalIdentity: apple(), name: "B" })).body.customer
      .id as string;
    const proven = await call("PATCH", `/v1/customers/${app}`, { phone: "+48604300001", phoneVerified: true });
    expect(proven).toMatchObject({ status: 200, body: { mergedCustomerIds: [merged], customer: { id: app } } });

    const read = await call("GET", `/v1/customers/${merged}`);
    expect(read).toMatchObject({ status: 200, body: { id: app, name: "B", phone: "+48604300001" } });
    expect(read.body).toEqual((await call("GET", `/v1/customers/${app}`)).body);
    expect((await call("PATCH", `/v1/customers/${merged}`, { name: "Bea" })).body.customer.id).toBe(app);
  });
});
