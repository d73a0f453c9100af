import { asAdminView } from "@regulars/api-client";
import { createDb, type Db } from "@regulars/db";
import type { CreatedTenant } from "@regulars/tenancy";
import { eventually, minutesAgo, testDatabaseUrl, testTenant } from "@regulars/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { line, postSale } from "./checkout-flow.ts";
import { startTestSystem, type TestSystem } from "./system-fixture.ts";

// Acceptance scenario 3 of the specification: after a kiosk order the customer's behavioural profile (Postgres,
// written by the profile writer from transaction.processed, read over tRPC) shows it, over the real services.

let system: TestSystem;
let db: Db;
beforeAll(async () => {
  system = await startTestSystem({ JOBS_INTERVAL_MS: "3600000" });
  db = createDb({ url: testDatabaseUrl(), poolSize: 2 });
});
afterAll(async () => {
  await system?.dispose();
  await db?.$disconnect();
});

const WINDOWS = ["d7", "d30", "d90", "d365", "lifetime"] as const;

describe("the behavioural profile after a kiosk order", () => {
  let tenant: CreatedTenant;
  beforeAll(async () => {
    tenant = await testTenant(db, "Profile Burgers");
  });

  it("scenario 3: +1 order in every window, the order's value, the vegetarian affinity and the location counted", async () => {
    const phone = "+48600900001";
    const admin = system.client(tenant.apiKeys.admin);
    await postSale(system, tenant, phone, [line("WATER", 200)]); // the first visit enrols the customer
    const customer = asAdminView(await admin.customers.get.query({ phone }));
    const before = await eventually("the first visit in the profile", async () => {
      const p = await admin.customers.profile.query({ customerId: customer.id });
      return p.windows.lifetime.orders === 1 ? p : undefined;
    });
    expect(before.affinities).toEqual([]);

    const externalId = `KIOSK-${Date.now()}`;
    const lines = [
      { ...line("VEGGIE-BURGER", 1_400), tags: ["vegetarian"] },
      { ...line("FRIES", 400), quantity: 2, unitPrice: 200, tags: ["vegetarian", "side"] },
      { ...line("COLA", 300), tags: [] },
    ];
    const res = await system.post("/v1/transactions", tenant.apiKeys.kiosk, {
      externalId,
      type: "sale",
      occurredAt: minutesAgo(1),
      locationId: "kiosk-store-b",
      channel: "kiosk",
      customer: { phone },
      currency: "EUR",
      lines,
      total: 2_100,
    });
    expect(res.status).toBe(202);
    await system.processed(tenant.apiKeys.admin, externalId);

    const after = await eventually("the kiosk order in the profile", async () => {
      const p = await admin.customers.profile.query({ customerId: customer.id });
      return p.windows.lifetime.orders === 2 ? p : undefined;
    });
    for (const w of WINDOWS)
      expect([w, after.windows[w]]).toEqual([
        w,
        { orders: before.windows[w].orders + 1, value: before.windows[w].value + 2_100 },
      ]);
    // 5 items in all (the water, then the burger, two fries and a cola), 3 of them vegetarian.
    expect(after.affinities).toEqual([
      { tag: "vegetarian", share: 0.6 },
      { tag: "side", share: 0.4 },
    ]);
    expect(after.locations).toEqual(
      expect.arrayContaining([
        { locationId: "kiosk-store-b", visits: 1 },
        { locationId: "store-a", visits: 1 },
      ]),
    );
    expect(after.favouriteLocationId).toBe("kiosk-store-b"); // a tie goes to the most recent
    expect(after.preferredChannel).toBe("kiosk");
    expect(after.lastOrderAt).not.toBe(before.lastOrderAt);
    expect(after.averageTicket).toBe(Math.floor((200 + 2_100) / 2));
  });
});
