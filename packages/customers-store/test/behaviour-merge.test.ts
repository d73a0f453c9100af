import { RegisterCustomerRequest, UpdateProfileRequest } from "@regulars/contracts";
import type { Db } from "@regulars/db";
import { testDb } from "@regulars/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readBehaviourProfile, recordProcessedTransactions, registerCustomer, updateProfile } from "../src/index.ts";
import { processed, tillCustomer } from "./behaviour-fixtures.ts";
import { appOrigin, loyaltyTenant } from "./fixtures.ts";

let db: Db;
const now = new Date();

beforeAll(() => {
  db = testDb();
});
afterAll(async () => {
  await db?.$disconnect();
});

describe("merging customers", () => {
  it("moves the merged customer's profile facts to the app account; a late event follows them", async () => {
    const { tenantId } = await loyaltyTenant(db, "Profile Merge");
    const till = await tillCustomer(db, tenantId, now);
    await recordProcessedTransactions(db, [
      processed(tenantId, till.id, now, { daysAgo: 12, total: 800, locationId: "store-b" }),
      processed(tenantId, till.id, now, { daysAgo: 2, total: 300, locationId: "store-b" }),
    ]);
    const app = (
      await registerCustomer(
        db,
        tenantId,
        RegisterCustomerRequest.parse({
          externalIdentity: { provider: "google", subject: `profile-${now.getTime()}` },
        }),
        appOrigin(now),
      )
    ).customer.id;
    await recordProcessedTransactions(db, [processed(tenantId, app, now, { daysAgo: 1, total: 100 })]);

    const update = await updateProfile(
      db,
      tenantId,
      app,
      UpdateProfileRequest.parse({ phone: till.phone, phoneVerified: true }),
      appOrigin(now),
    );
    expect(update.mergedCustomerIds).toEqual([till.id]);

    const merged = await readBehaviourProfile(db, tenantId, app, now);
    expect(merged.windows.lifetime).toEqual({ orders: 3, value: 1_200 });
    expect(merged.favouriteLocationId).toBe("store-b");
    expect((await readBehaviourProfile(db, tenantId, till.id, now)).windows.lifetime).toEqual({ orders: 0, value: 0 });
    expect(await db.customerMerge.findUnique({ where: { mergedId: till.id } })).toMatchObject({
      moved: expect.objectContaining({ profileOrders: 2 }),
    });

    // Published before the merge, read after it: it counts for the survivor too.
    await recordProcessedTransactions(db, [processed(tenantId, till.id, now, { daysAgo: 0, total: 50 })]);
    expect((await readBehaviourProfile(db, tenantId, app, now)).windows.d7).toEqual({ orders: 3, value: 450 });
    expect(await db.profileOrder.count({ where: { tenantId, customerId: till.id } })).toBe(0);
  });
});
