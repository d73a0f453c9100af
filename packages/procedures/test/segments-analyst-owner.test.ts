import type { Db } from "@regulars/db";
import type { Credential } from "@regulars/tenancy";
import { findCredential } from "@regulars/tenancy";
import { testAnalytics, testDb, testTenant } from "@regulars/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createCaller } from "../src/root.ts";
import { failure, signedInStaff } from "./helpers.ts";

// An analyst changes only the SQL segments they created: an admin's SQL segment may feed live campaigns.

let db: Db;
let analytics: Awaited<ReturnType<typeof testAnalytics>>;
let tenant: Awaited<ReturnType<typeof testTenant>>;

const callerOf = (credential: Credential) => createCaller({ db, analytics, credential, requestId: "req_test" });
async function callerFor(key: string) {
  const credential = await findCredential(db, key);
  if (!credential) throw new Error("the test key was not found");
  return callerOf(credential);
}

beforeAll(async () => {
  db = testDb();
  analytics = await testAnalytics();
  tenant = await testTenant(db, "Owner Grill");
});
afterAll(async () => {
  await analytics?.dispose();
  await db?.$disconnect();
});

const everyone = "SELECT customer_id FROM transactions";
const nobody = "SELECT customer_id FROM transactions WHERE 0";

describe("who may change a SQL segment", () => {
  it("refuses an analyst key another's SQL segment, and leaves it as it was", async () => {
    const admin = await callerFor(tenant.apiKeys.admin);
    const analyst = await callerFor(tenant.apiKeys.analyst);
    const admins = (await admin.segments.create({ name: "Campaign audience", sql: everyone })).segment;

    const refused = await failure(analyst.segments.update({ id: admins.id, sql: nobody }));
    expect(refused.code).toBe("FORBIDDEN");
    expect(refused.message).toBe("an analyst can change only the SQL segments they created; ask an admin");
    expect(await failure(analyst.segments.update({ id: admins.id, name: "Renamed" }))).toMatchObject({
      code: "FORBIDDEN",
    });
    expect(await admin.segments.get({ id: admins.id })).toMatchObject({
      name: "Campaign audience",
      sql: everyone,
      version: 1,
    });
  });

  it("lets an analyst key and a signed-in analyst change their own, not each other's; admins change any", async () => {
    const admin = await callerFor(tenant.apiKeys.admin);
    const analystKey = await callerFor(tenant.apiKeys.analyst);
    const person = await signedInStaff(db, tenant.tenantId, "analyst");
    const analystPerson = callerOf(person.credential);

    const byKey = (await analystKey.segments.create({ name: "By the key", sql: everyone })).segment;
    const byPerson = (await analystPerson.segments.create({ name: "By the person", sql: everyone })).segment;
    expect(byPerson.createdBy).toBe(`staff:${person.member.id}`);

    expect((await analystKey.segments.update({ id: byKey.id, sql: nobody })).segment.version).toBe(2);
    expect((await analystPerson.segments.update({ id: byPerson.id, sql: nobody })).segment.version).toBe(2);
    expect((await failure(analystKey.segments.update({ id: byPerson.id, sql: everyone }))).code).toBe("FORBIDDEN");
    expect((await failure(analystPerson.segments.update({ id: byKey.id, sql: everyone }))).code).toBe("FORBIDDEN");
    expect((await admin.segments.update({ id: byKey.id, name: "Checked by an admin" })).segment.version).toBe(2);
  });
});
