import { UpdateProfileRequest } from "@regulars/contracts";
import type { Db, DbTx } from "@regulars/db";
import { raceWithHeldTransaction, testDatabaseUrl, testDb } from "@regulars/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  currentConsents,
  pushTargets,
  removePushToken,
  savePushToken,
  setConsents,
  updateProfile,
} from "../src/index.ts";
import { applyAtTill, appOrigin, loyaltyTenant, tillMessage } from "./fixtures.ts";
import { mergeParties } from "./merge-fixtures.ts";

// The app backend's writes through the gateway's customer routes name the customer by id. One addressed to a till's
// customer that looked "not merged" up just before an app account's merge of it committed must follow to the
// survivor once it has the customer's lock, not land on the emptied row.

let db: Db;
let tenantId: string;
const now = new Date();

beforeAll(async () => {
  db = testDb();
  ({ tenantId } = await loyaltyTenant(db, "Merge Race Burgers"));
});
afterAll(async () => {
  await db?.$disconnect();
});

const { freshPhone, appAccount, tillCustomer } = mergeParties(() => db, "+48609", now);

async function parties() {
  const phone = freshPhone();
  await applyAtTill(db, now, tillMessage(tenantId, { phone, total: 1_000 }, now));
  return { phone, till: await tillCustomer(tenantId, phone), app: await appAccount(tenantId) };
}

/** The app account proves the till's phone, held open after the merge; it commits once `write` waits for it. */
function raceWithMerge<T>(app: string, phone: string, write: () => Promise<T>): Promise<T> {
  const merge = async (tx: DbTx) => {
    const update = UpdateProfileRequest.parse({ phone, phoneVerified: true });
    expect((await updateProfile(tx, tenantId, app, update, appOrigin(now))).mergedCustomerIds).toHaveLength(1);
  };
  return raceWithHeldTransaction(testDatabaseUrl(), db, merge, write);
}

const device = { deviceId: "phone-1", platform: "ios" as const, token: "80f1c3a9b2d4e6f8" };

describe("an app's write racing the merge of its customer", () => {
  it("a consent choice is recorded for the survivor and answered as the survivor's", async () => {
    const { phone, till, app } = await parties();
    const choice = { consents: [{ channel: "push" as const, purpose: "marketing" as const, granted: true }] };

    const inForce = await raceWithMerge(app, phone, () => setConsents(db, tenantId, till, choice, appOrigin(now)));

    expect(inForce).toContainEqual(expect.objectContaining({ channel: "push", purpose: "marketing", granted: true }));
    expect(await currentConsents(db, tenantId, till)).toEqual([]);
    expect(await currentConsents(db, tenantId, app)).toContainEqual(
      expect.objectContaining({ channel: "push", purpose: "marketing", granted: true }),
    );
  });

  it("a push device is registered for the survivor", async () => {
    const { phone, till, app } = await parties();

    await raceWithMerge(app, phone, () => savePushToken(db, tenantId, till, device, now));

    expect(await pushTargets(db, tenantId, till)).toEqual([]);
    expect(await pushTargets(db, tenantId, app)).toEqual([expect.objectContaining({ deviceId: device.deviceId })]);
  });

  it("a device forgotten by the merged-away id is gone from the survivor, where the merge moved it", async () => {
    const { phone, till, app } = await parties();
    await savePushToken(db, tenantId, till, device, now);

    const removed = await raceWithMerge(app, phone, () => removePushToken(db, tenantId, till, device.deviceId));

    expect(removed).toBe(true);
    expect(await pushTargets(db, tenantId, app)).toEqual([]);
  });
});
