import { RegisterCustomerRequest, UpdateProfileRequest } from "@regulars/contracts";
import type { Db } from "@regulars/db";
import { testDb } from "@regulars/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  pushTargets,
  readProfile,
  registerCustomer,
  removePushToken,
  savePushToken,
  updateProfile,
} from "../src/index.ts";
import { applyAtTill, appOrigin, loyaltyTenant, outboxOf, tillMessage } from "./fixtures.ts";

let db: Db;
let tenantId: string;
let otherTenantId: string;
const now = new Date();

beforeAll(async () => {
  db = testDb();
  const [a, b] = await Promise.all([loyaltyTenant(db, "Profile A"), loyaltyTenant(db, "Profile B")]);
  tenantId = a.tenantId;
  otherTenantId = b.tenantId;
});
afterAll(async () => {
  await db?.$disconnect();
});

let n = 0;
const freshPhone = () => `+48603${String(++n).padStart(6, "0")}`;
const customer = async (extra: Record<string, unknown> = {}) =>
  (
    await registerCustomer(
      db,
      tenantId,
      RegisterCustomerRequest.parse({ externalIdentity: { provider: "brand", subject: `profile-${++n}` }, ...extra }),
      appOrigin(now),
    )
  ).customer.id;
const update = (id: string, body: Record<string, unknown>, tenant = tenantId) =>
  updateProfile(db, tenant, id, UpdateProfileRequest.parse(body), appOrigin(now));
const updates = async (id: string) =>
  (await outboxOf(db, tenantId, "customer.updated")).filter((e) => e.customerId === id);

describe("updateProfile", () => {
  it("changes the named fields, clears with null, merges preferences key by key, and announces once per change", async () => {
    const id = await customer({
      name: "Ada",
      email: "ada@example.com",
      preferences: { diet: "vegetarian", store: "s-1" },
    });
    const result = await update(id, {
      name: "Ada Nowak",
      email: null,
      dateOfBirth: "1990-04-17",
      preferences: { diet: "vegan", store: null, topics: ["new"] },
    });
    expect(result).toMatchObject({
      changed: ["name", "email", "dateOfBirth", "preferences"],
      mergedCustomerIds: [],
      customer: {
        name: "Ada Nowak",
        email: null,
        dateOfBirth: "1990-04-17",
        preferences: { diet: "vegan", topics: ["new"] },
      },
    });
    expect(await updates(id)).toEqual([
      {
        type: "customer.updated",
        id: `customer.updated:${id}:2`,
        tenantId,
        customerId: id,
        occurredAt: now.toISOString(),
        cause: "profile",
        changed: ["name", "email", "dateOfBirth", "preferences"],
        mergedCustomerId: null,
      },
    ]);
    const same = await update(id, { name: "Ada Nowak", preferences: { topics: ["new"] } });
    expect(same.changed).toEqual([]);
    expect(await updates(id)).toHaveLength(1);
  });

  it("an unproven new phone unlinks the old number from the tills; the same number unproven keeps it proven", async () => {
    const phone = freshPhone();
    const id = await customer({ phone, phoneVerified: true });
    expect((await update(id, { phone })).changed).toEqual([]);
    expect((await readProfile(db, tenantId, id)).phoneVerified).toBe(true);
    const next = freshPhone();
    expect(await update(id, { phone: next })).toMatchObject({
      changed: ["phone", "phoneVerified"],
      customer: { phone: next, phoneVerified: false },
    });
    expect(await db.customerIdentity.count({ where: { tenantId, customerId: id, kind: "phone" } })).toBe(0);
    // The old number at a till is a new member now, not this customer.
    await applyAtTill(db, now, tillMessage(tenantId, { phone, total: 500 }, now));
    expect((await db.customerIdentity.findFirstOrThrow({ where: { tenantId, value: phone } })).customerId).not.toBe(id);
    expect((await update(id, { phone: null })).customer).toMatchObject({ phone: null, phoneVerified: false });
  });

  it("refuses an invalid phone, a future birth date, and another tenant's customer", async () => {
    const id = await customer();
    await expect(update(id, { phone: "+48 600" })).rejects.toMatchObject({
      code: "invalid_request",
      issues: [{ path: "phone" }],
    });
    const later = new Date(now.getTime() + 3 * 86_400_000).toISOString().slice(0, 10);
    await expect(update(id, { dateOfBirth: later })).rejects.toMatchObject({ issues: [{ path: "dateOfBirth" }] });
    await expect(update(id, { name: "Mallory" }, otherTenantId)).rejects.toMatchObject({ code: "not_found" });
    expect(UpdateProfileRequest.safeParse({}).error?.issues[0]?.message).toMatch(/at least one of/);
  });
});

describe("push tokens", () => {
  it("upserts a device, moves it to whoever signs in on it, keeps a token on one device, and forgets on removal", async () => {
    const [ada, bob] = [await customer(), await customer()];
    await savePushToken(db, tenantId, ada, { deviceId: "ipad-1", platform: "ios", token: "tok-1" }, now);
    await savePushToken(db, tenantId, ada, { deviceId: "ipad-1", platform: "ios", token: "tok-2" }, now);
    expect(await pushTargets(db, tenantId, ada)).toEqual([{ deviceId: "ipad-1", platform: "ios", token: "tok-2" }]);
    expect((await readProfile(db, tenantId, ada)).pushDevices).toEqual([
      { deviceId: "ipad-1", platform: "ios", updatedAt: now.toISOString() },
    ]);
    await savePushToken(db, tenantId, bob, { deviceId: "ipad-1", platform: "ios", token: "tok-2" }, now);
    expect(await pushTargets(db, tenantId, ada)).toEqual([]);
    // Reinstalled: the same token under a new device id replaces the old device.
    await savePushToken(db, tenantId, bob, { deviceId: "ipad-1b", platform: "ios", token: "tok-2" }, now);
    expect((await pushTargets(db, tenantId, bob)).map((t) => t.deviceId)).toEqual(["ipad-1b"]);
    expect(await removePushToken(db, tenantId, ada, "ipad-1b")).toBe(false);
    expect(await removePushToken(db, tenantId, bob, "ipad-1b")).toBe(true);
    expect(await pushTargets(db, tenantId, bob)).toEqual([]);
    await expect(
      savePushToken(db, otherTenantId, bob, { deviceId: "x", platform: "web", token: "t" }, now),
    ).rejects.toMatchObject({ code: "not_found" });
  });
});
