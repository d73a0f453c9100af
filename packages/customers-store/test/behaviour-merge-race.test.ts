import { RegisterCustomerRequest } from "@regulars/contracts";
import type { Db } from "@regulars/db";
import { raceWithHeldTransaction, testDatabaseUrl, testDb } from "@regulars/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mergeCustomer, readBehaviourProfile, recordProcessedTransactions, registerCustomer } from "../src/index.ts";
import { processed, tillCustomer } from "./behaviour-fixtures.ts";
import { appOrigin, loyaltyTenant } from "./fixtures.ts";
import { mergeParties } from "./merge-fixtures.ts";

// The profile writer records a sale of a customer whose merge commits meanwhile: the insert read the merges before
// the commit, waited for the merge's lock on the customer, and must still put the fact on the survivor, or the
// survivor's profile misses the order for good.

let db: Db;
const now = new Date();

beforeAll(() => {
  db = testDb();
});
afterAll(async () => {
  await db?.$disconnect();
});

const { freshPhone, appAccount, provePhone } = mergeParties(() => db, "+48611", now);

/** Records `customerId`'s sale while `intoId`'s merge of `fromId` is held open; it commits once the write waits. */
async function saleDuringMerge(tenantId: string, customerId: string, fromId: string, intoId: string) {
  const late = processed(tenantId, customerId, now, { daysAgo: 0, total: 50 });
  await raceWithHeldTransaction(
    testDatabaseUrl(),
    db,
    (tx) => mergeCustomer(tx, tenantId, fromId, intoId, appOrigin(now)),
    () => recordProcessedTransactions(db, [late]),
    "the profile writer",
  );
  return db.profileOrder.findMany({ where: { tenantId, transactionId: late.transactionId } });
}

describe("a sale recorded while its customer's merge commits", () => {
  it("lands on the survivor with the customer's earlier orders", async () => {
    const { tenantId } = await loyaltyTenant(db, "Profile Merge Race");
    const till = await tillCustomer(db, tenantId, now);
    await recordProcessedTransactions(db, [processed(tenantId, till.id, now, { daysAgo: 3, total: 800 })]);
    const registration = RegisterCustomerRequest.parse({
      externalIdentity: { provider: "google", subject: `race-${now.getTime()}` },
    });
    const app = (await registerCustomer(db, tenantId, registration, appOrigin(now))).customer.id;

    const facts = await saleDuringMerge(tenantId, till.id, till.id, app);

    expect(facts.map((f) => f.customerId)).toEqual([app]);
    expect((await readBehaviourProfile(db, tenantId, app, now)).windows.lifetime).toEqual({ orders: 2, value: 850 });
    expect(await db.profileOrder.count({ where: { tenantId, customerId: till.id } })).toBe(0);
  });

  it("of a customer merged before, lands on the last survivor when the first survivor's merge commits", async () => {
    const { tenantId } = await loyaltyTenant(db, "Profile Merge Race Chain");
    const till = await tillCustomer(db, tenantId, now);
    const registration = RegisterCustomerRequest.parse({ phone: freshPhone(), phoneVerified: true });
    const phoneOnly = (await registerCustomer(db, tenantId, registration, appOrigin(now))).customer.id;
    expect((await provePhone(tenantId, phoneOnly, till.phone)).mergedCustomerIds).toEqual([till.id]);
    const app = await appAccount(tenantId);

    // The sale names the till's customer, which the insert finds merged into `phoneOnly`: it waits for that one's lock.
    const facts = await saleDuringMerge(tenantId, till.id, phoneOnly, app);

    expect(facts.map((f) => f.customerId)).toEqual([app]);
  });
});
