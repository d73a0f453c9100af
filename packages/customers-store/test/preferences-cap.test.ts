import { MAX_PREFERENCES, RegisterCustomerRequest, UpdateProfileRequest } from "@regulars/contracts";
import type { Db } from "@regulars/db";
import { DomainError } from "@regulars/errors";
import { testDb } from "@regulars/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readProfile, registerCustomer, updateProfile } from "../src/index.ts";
import { appOrigin, loyaltyTenant, outboxOf } from "./fixtures.ts";

/** The cap of 50 preferences holds for what a customer keeps, not only for one request: patches add up. */
let db: Db;
let tenantId: string;
const now = new Date();

beforeAll(async () => {
  db = testDb();
  tenantId = (await loyaltyTenant(db, "Preferences Cap")).tenantId;
});
afterAll(async () => {
  await db?.$disconnect();
});

let n = 0;
const customer = async () =>
  (
    await registerCustomer(
      db,
      tenantId,
      RegisterCustomerRequest.parse({ externalIdentity: { provider: "brand", subject: `prefs-cap-${++n}` } }),
      appOrigin(now),
    )
  ).customer.id;
const update = (id: string, body: Record<string, unknown>) =>
  updateProfile(db, tenantId, id, UpdateProfileRequest.parse(body), appOrigin(now));
const prefs = (prefix: string, count: number, value: unknown = "v") =>
  Object.fromEntries(Array.from({ length: count }, (_, i) => [`${prefix}${i}`, value]));
const refusal = (e: unknown) =>
  e instanceof DomainError ? { code: e.code, issues: e.issues } : { unexpected: String(e) };
const updatesOf = async (id: string) =>
  (await outboxOf(db, tenantId, "customer.updated")).filter((e) => e.customerId === id).length;

describe("the preferences a customer keeps", () => {
  it("are refused past 50 in all when a patch would add to them, and nothing of that patch is stored", async () => {
    const id = await customer();
    await update(id, { preferences: prefs("a", MAX_PREFERENCES) });
    const announced = await updatesOf(id);

    const error = await update(id, { name: "Ada", preferences: prefs("b", 1) }).catch(refusal);

    expect(error).toEqual({
      code: "invalid_request",
      issues: [{ path: "preferences", message: expect.stringContaining(`at most ${MAX_PREFERENCES} preferences`) }],
    });
    const stored = await readProfile(db, tenantId, id);
    expect(stored.name).toBeNull();
    expect(Object.keys(stored.preferences).sort()).toEqual(Object.keys(prefs("a", MAX_PREFERENCES)).sort());
    expect(await updatesOf(id)).toBe(announced);
  });

  it("may reach exactly 50, replacing and removing keys in the same patch", async () => {
    const id = await customer();
    await update(id, { preferences: prefs("a", 40) });

    const result = await update(id, { preferences: { ...prefs("b", 12), a0: null, a1: null, a2: "w" } });

    expect(Object.keys(result.customer.preferences)).toHaveLength(MAX_PREFERENCES);
  });

  it("over the cap from before it was checked, may shrink or change values but not grow", async () => {
    const id = await customer();
    const legacy = prefs("old", MAX_PREFERENCES + 20);
    await db.$executeRaw`
      UPDATE customer_profiles SET preferences = ${JSON.stringify(legacy)}::jsonb
      WHERE tenant_id = ${tenantId} AND customer_id = ${id}`;

    const shrunk = await update(id, { preferences: { ...prefs("old", 5, null), old10: "changed" } });
    expect(Object.keys(shrunk.customer.preferences)).toHaveLength(MAX_PREFERENCES + 15);

    const grown = await update(id, { preferences: { fresh: "x" } }).catch(refusal);
    expect(grown).toMatchObject({ code: "invalid_request", issues: [{ path: "preferences" }] });
  });
});
