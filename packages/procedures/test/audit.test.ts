import type { Db } from "@regulars/db";
import { testDb } from "@regulars/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { failure, tenantCallers } from "./helpers.ts";

let db: Db;
beforeAll(() => {
  db = testDb();
});
afterAll(async () => {
  await db?.$disconnect();
});

describe("audit.list", () => {
  it("pages newest first through the tenant's entries", async () => {
    const t = await tenantCallers(db);
    for (const days of [1, 2, 3, 4, 5]) await t.admin.programme.pendingDays.set({ days });

    const first = await t.admin.audit.list({ limit: 2 });
    expect(first.items.map((i) => (i.details as { after: { pendingDays: number } }).after.pendingDays)).toEqual([5, 4]);
    expect(first.items[0]).toMatchObject({
      id: expect.stringMatching(/^aud_[0-9a-z]{26}$/),
      action: "programme.pendingDays.set",
      target: null,
      actor: t.adminKeyId,
    });
    const second = await t.admin.audit.list({ limit: 2, cursor: first.nextCursor });
    const third = await t.admin.audit.list({ limit: 2, cursor: second.nextCursor });
    expect([...second.items, ...third.items].map((i) => (i.details as { version: number }).version)).toEqual([4, 3, 2]);
    expect(third.nextCursor).toBeNull();
    expect((await t.admin.audit.list()).items).toHaveLength(5);
  });

  it("refuses a limit outside 1..100", async () => {
    const t = await tenantCallers(db);
    expect((await failure(t.admin.audit.list({ limit: 0 }))).code).toBe("BAD_REQUEST");
    expect((await failure(t.admin.audit.list({ limit: 101 }))).code).toBe("BAD_REQUEST");
  });
});
