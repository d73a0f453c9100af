import { RegisterCustomerRequest } from "@regulars/contracts";
import type { Db } from "@regulars/db";
import { newId } from "@regulars/ids";
import { testDb } from "@regulars/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { enrolAtTill, registerCustomer } from "../src/index.ts";
import { applyAtTill, appOrigin, loyaltyTenant, tillMessage } from "./fixtures.ts";

// One person, two spellings of one number: a till's `+480604100077` (a 0 it kept after Poland's code, stored as read)
// and the app's `+48604100077`. In either order they are one customer.

let db: Db;
const now = new Date();
const till = { actor: "key_pos", via: "pos" as const, now };

beforeAll(() => {
  db = testDb();
});
afterAll(async () => {
  await db?.$disconnect();
});

const zeroSpelled = "+480604100077";
const valid = "+48604100077";
const register = (tenantId: string, phone: string) =>
  registerCustomer(
    db,
    tenantId,
    RegisterCustomerRequest.parse({
      externalIdentity: { provider: "google", subject: newId("request") },
      phone,
      phoneVerified: true,
    }),
    appOrigin(now),
  );
const phonesOf = (tenantId: string) =>
  db.customerIdentity.findMany({ where: { tenantId, kind: "phone" }, select: { value: true, customerId: true } });

describe("a phone's two spellings, at the till and in the app", () => {
  it("till then app: the app's registration is the till's customer", async () => {
    const { tenantId } = await loyaltyTenant(db, "Spellings Till First");
    await applyAtTill(db, now, tillMessage(tenantId, { phone: zeroSpelled, total: 1500 }, now));
    const [tillCustomer] = await db.customer.findMany({ where: { tenantId }, select: { id: true } });

    const registration = await register(tenantId, valid);

    expect(registration).toMatchObject({ outcome: "linked", customer: { id: tillCustomer!.id, phone: valid } });
    expect(await db.customer.count({ where: { tenantId } })).toBe(1);
    expect(await phonesOf(tenantId)).toEqual([{ value: valid, customerId: tillCustomer!.id }]);
  });

  it("till then app, the till's identity stored under the 0-spelling before: still one customer", async () => {
    const { tenantId } = await loyaltyTenant(db, "Spellings Till Legacy");
    const stored = newId("customer");
    await db.customer.create({ data: { id: stored, tenantId, phone: zeroSpelled, createdVia: "pos" } });
    await db.customerIdentity.create({ data: { tenantId, kind: "phone", value: zeroSpelled, customerId: stored } });

    const registration = await register(tenantId, valid);

    expect(registration).toMatchObject({ outcome: "linked", customer: { id: stored } });
    // Kept under the proven spelling, which finds the customer by both.
    expect(await phonesOf(tenantId)).toEqual([{ value: valid, customerId: stored }]);
    expect(
      await enrolAtTill(db, tenantId, { phone: zeroSpelled, locationId: "store-017", consents: [] }, till),
    ).toMatchObject({ customerId: stored, created: false });
  });

  it("app then till: the till's sale and enrolment by the 0-spelling name the app's customer", async () => {
    const { tenantId } = await loyaltyTenant(db, "Spellings App First");
    const app = (await register(tenantId, valid)).customer.id;

    await applyAtTill(db, now, tillMessage(tenantId, { phone: zeroSpelled, total: 1500 }, now));
    const enrolled = await enrolAtTill(
      db,
      tenantId,
      { phone: zeroSpelled, locationId: "store-017", consents: [] },
      till,
    );

    expect(enrolled).toMatchObject({ customerId: app, created: false });
    expect(await db.customer.count({ where: { tenantId } })).toBe(1);
    expect(await db.transaction.count({ where: { tenantId, customerId: app } })).toBe(1);
  });

  it("a till enrolling the 0-spelling first creates the customer under the valid spelling", async () => {
    const { tenantId } = await loyaltyTenant(db, "Spellings Enrol First");

    const enrolled = await enrolAtTill(
      db,
      tenantId,
      { phone: zeroSpelled, locationId: "store-017", consents: [] },
      till,
    );

    expect(await phonesOf(tenantId)).toEqual([{ value: valid, customerId: enrolled.customerId }]);
    expect((await register(tenantId, valid)).customer.id).toBe(enrolled.customerId);
  });
});
