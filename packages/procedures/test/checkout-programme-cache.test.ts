import type { Db } from "@regulars/db";
import { ProgrammeCache } from "@regulars/programme";
import { findCredential } from "@regulars/tenancy";
import { testDb } from "@regulars/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createCaller } from "../src/root.ts";
import { tenantCallers } from "./helpers.ts";

// The API gives the kiosk's checkout a programme cache of the process's (`ApiContext.programmes`), checked for changes
// on every call: a change made in the admin app prices the very next quote, as when the programme was read afresh.

let db: Db;
beforeAll(() => {
  db = testDb();
});
afterAll(async () => {
  await db?.$disconnect();
});

const HOUR = 3_600_000;
const basket = {
  locationId: "store-001",
  channel: "kiosk" as const,
  currency: "EUR",
  lines: [{ sku: "FRIES", name: "Fries", quantity: 1, unitPrice: 400, discount: 0, tags: [] }],
};

describe("the kiosk's checkout on a cached programme", () => {
  it("checks it for changes on every quote, so the next quote prices the redemption rate the admin just set", async () => {
    const t = await tenantCallers(db, "Cached Programme Kiosk");
    const credential = (await findCredential(db, t.apiKeys.kiosk))!;
    const programmes = new (class extends ProgrammeCache {
      refreshed = 0;
      override refresh(tenantIds: string[]) {
        this.refreshed++;
        return super.refresh(tenantIds);
      }
    })(db, HOUR);
    const kiosk = createCaller({ db, credential, requestId: "req_test", programmes });

    expect((await kiosk.checkout.quote({ basket })).points).toMatchObject({ minPoints: 0, step: 1 });
    await t.admin.programme.redemption.set({ redemption: { points: 100, value: 500, minPoints: 50, step: 10 } });
    expect((await kiosk.checkout.quote({ basket })).points).toMatchObject({ minPoints: 50, step: 10 });

    // Each quote checked the cache for changes, and read the programme from it.
    expect(programmes.refreshed).toBe(2);
    expect((await programmes.inForce(t.tenantId, new Date()))?.config.redemption).toMatchObject({ minPoints: 50 });
  });
});
