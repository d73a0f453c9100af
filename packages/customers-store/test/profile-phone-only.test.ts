import { RegisterCustomerRequest, UpdateProfileRequest } from "@regulars/contracts";
import type { Db } from "@regulars/db";
import { testDb } from "@regulars/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readProfile, registerCustomer, updateProfile } from "../src/index.ts";
import { appOrigin, loyaltyTenant } from "./fixtures.ts";

// An app account registered by a proven phone alone is found by that number only (no sign-in identity, no card):
// the tills, and its next registration, find it there. An unproven new number must not unlink the old one, or the
// account is orphaned: the next registration makes a second account (welcome coupons again), the points stay behind.

let db: Db;
let tenantId: string;
const now = new Date();

beforeAll(async () => {
  db = testDb();
  ({ tenantId } = await loyaltyTenant(db, "Phone Only Burgers"));
});
afterAll(async () => {
  await db?.$disconnect();
});

let n = 0;
const freshPhone = () => `+48606${String(++n).padStart(6, "0")}`;
const register = (input: Record<string, unknown>) =>
  registerCustomer(db, tenantId, RegisterCustomerRequest.parse(input), appOrigin(now));
const update = (id: string, body: Record<string, unknown>) =>
  updateProfile(db, tenantId, id, UpdateProfileRequest.parse(body), appOrigin(now));
const phonesOf = async (customerId: string) =>
  (await db.customerIdentity.findMany({ where: { tenantId, customerId, kind: "phone" } })).map((i) => i.value);

describe("changing the phone of an account found by its phone alone", () => {
  it("refuses an unproven new number, or none, and keeps the account findable by the proven one", async () => {
    const phone = freshPhone();
    const id = (await register({ phone, phoneVerified: true, name: "Phone Only" })).customer.id;

    for (const change of [{ phone: freshPhone(), name: "Changed" }, { phone: null }])
      await expect(update(id, change)).rejects.toMatchObject({
        code: "conflict",
        issues: [{ path: "phone", message: expect.stringMatching(/prove the new number/) }],
      });

    expect(await readProfile(db, tenantId, id)).toMatchObject({ phone, phoneVerified: true, name: "Phone Only" });
    expect(await phonesOf(id)).toEqual([phone]);
    expect(await register({ phone, phoneVerified: true })).toMatchObject({ outcome: "existing", customer: { id } });
  });

  it("takes a proven new number: it replaces the old one, and the account is found by it", async () => {
    const [old, next] = [freshPhone(), freshPhone()];
    const id = (await register({ phone: old, phoneVerified: true })).customer.id;

    expect(await update(id, { phone: next, phoneVerified: true })).toMatchObject({
      changed: ["phone"],
      customer: { id, phone: next, phoneVerified: true },
    });

    expect(await phonesOf(id)).toEqual([next]);
    expect(await register({ phone: next, phoneVerified: true })).toMatchObject({
      outcome: "existing",
      customer: { id },
    });
  });
});
