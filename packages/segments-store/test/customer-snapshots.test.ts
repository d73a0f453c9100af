import type { Db } from "@regulars/db";
import { newId } from "@regulars/ids";
import { testDb, testTenant } from "@regulars/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readCustomerSnapshots } from "../src/index.ts";

// The consents a customer's snapshot carries into ClickHouse, where segments' consent conditions read them.

let db: Db;
beforeAll(() => {
  db = testDb();
});
afterAll(async () => {
  await db?.$disconnect();
});

const minutes = (from: Date, m: number) => new Date(from.getTime() + m * 60_000);

describe("readCustomerSnapshots", () => {
  it("holds the consent in force: a withdrawal recorded after a grant stamped ahead of our clock wins", async () => {
    const { tenantId } = await testTenant(db, "Snapshot Consents");
    const customerId = newId("customer");
    await db.customer.create({ data: { id: customerId, tenantId, createdVia: "test" } });
    const choice = (purpose: string, granted: boolean, occurredAt: Date, recordedAt: Date) => ({
      id: newId("event"),
      tenantId,
      customerId,
      channel: "push",
      purpose,
      granted,
      source: "test",
      occurredAt,
      recordedAt,
    });
    const grantedAt = minutes(new Date(), -60);
    // The app's clock runs 4 minutes fast; a minute after its grant, the customer withdraws.
    await db.customerConsent.createMany({
      data: [
        choice("marketing", true, minutes(grantedAt, 4), grantedAt),
        choice("marketing", false, minutes(grantedAt, 1), minutes(grantedAt, 1)),
        choice("profiling", true, minutes(grantedAt, 4), grantedAt),
      ],
    });
    const [snapshot] = await readCustomerSnapshots(db, [{ tenantId, customerId }]);
    expect(snapshot?.consents).toEqual(["push:profiling"]);
  });
});
