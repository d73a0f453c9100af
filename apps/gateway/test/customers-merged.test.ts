import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type CustomersDoor, startCustomersDoor } from "./customers-door.ts";

/** `/v1/customers…` by the id of a customer merged into an app account; an in-process gateway over real services. */
let door: CustomersDoor;
const now = new Date();

beforeAll(async () => {
  door = await startCustomersDoor({ tenantName: "Customer Door Merged", subjects: "merged", now: () => now });
});
afterAll(() => door?.stop());

describe("a merged-away customer id", () => {
  it("reads as the account it was merged into, as changes by it are made there", async () => {
    const phoneOnly = await door.call("POST", "/v1/customers", {
      phone: "+48 604 300 001",
      phoneVerified: true,
      name: "A",
    });
    expect(phoneOnly.status).toBe(201);
    const merged = phoneOnly.body.customer.id as string;
    const app = (await door.call("POST", "/v1/customers", { externalIdentity: door.appleIdentity(), name: "B" })).body
      .customer.id as string;
    const proven = await door.call("PATCH", `/v1/customers/${app}`, { phone: "+48604300001", phoneVerified: true });
    expect(proven).toMatchObject({ status: 200, body: { mergedCustomerIds: [merged], customer: { id: app } } });

    const read = await door.call("GET", `/v1/customers/${merged}`);
    expect(read).toMatchObject({ status: 200, body: { id: app, name: "B", phone: "+48604300001" } });
    expect(read.body).toEqual((await door.call("GET", `/v1/customers/${app}`)).body);
    expect((await door.call("PATCH", `/v1/customers/${merged}`, { name: "Bea" })).body.customer.id).toBe(app);
  });
});
