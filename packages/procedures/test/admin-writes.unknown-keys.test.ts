import type { Db } from "@regulars/db";
import { newId } from "@regulars/ids";
import { testDb } from "@regulars/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { failure, HOUR, inMs, issuesOf, tenantCallers } from "./helpers.ts";

let db: Db;
beforeAll(() => {
  db = testDb();
});
afterAll(async () => {
  await db?.$disconnect();
});

const unknown = (key: string, path = "(body)") => [{ path, message: `unknown field: "${key}"` }];

describe("admin changes refuse keys they do not have", () => {
  it("each names the misspelt key instead of acting without it", async () => {
    const t = await tenantCallers(db, "Strict Grill");
    const customerId = newId("customer");
    const keyId = (await t.admin.apiKeys.list({})).find((k) => k.role === "pos")!.id;
    const cases: [() => Promise<unknown>, string][] = [
      // Without its idempotency key a retried adjustment would credit twice.
      [
        () => t.admin.customers.adjust({ customerId, amount: 100, reason: "goodwill", idempotencyKy: "k1" } as never),
        "idempotencyKy",
      ],
      [
        () =>
          t.admin.customers.setTierFloor({
            customerId,
            tier: "gold",
            until: inMs(HOUR),
            reason: "status match",
            notifyCustomer: true,
          } as never),
        "notifyCustomer",
      ],
      [() => t.admin.locations.set({ id: "store-1", name: null, timezone: null, tz: "Europe/Warsaw" } as never), "tz"],
      [() => t.admin.tenants.setLanguage({ language: "pl", fallback: "en" } as never), "fallback"],
      [() => t.admin.privacy.retention.set({ eventMonths: 12 } as never), "eventMonths"],
      // Without its grace period a rotation would cut the old key off at once.
      [() => t.admin.apiKeys.rotate({ keyId, graceSecond: 3_600 } as never), "graceSecond"],
    ];
    for (const [call, key] of cases) expect(issuesOf(await failure(call()))).toEqual(unknown(key));
    expect((await t.admin.apiKeys.list({})).find((k) => k.id === keyId)).toMatchObject({ revokedAt: null });
    expect((await t.admin.locations.list()).items.filter((l) => l.configured)).toEqual([]);
  });

  it("the lists the apps page through as infinite queries still take the `direction` tRPC adds", async () => {
    const t = await tenantCallers(db, "Strict Grill");
    const customerId = newId("customer");
    await db.customer.create({ data: { id: customerId, tenantId: t.tenantId, createdVia: "test" } });
    const direction = "forward";
    expect((await t.admin.customers.ledger({ customerId, limit: 20, direction } as never)).items).toEqual([]);
    expect((await t.admin.customers.consentHistory({ customerId, limit: 20, direction } as never)).items).toEqual([]);
    expect((await t.admin.transactions.rejections({ limit: 50, direction } as never)).items).toEqual([]);
    expect((await t.admin.audit.list({ limit: 50, direction } as never)).items).toEqual([]);
  });
});
