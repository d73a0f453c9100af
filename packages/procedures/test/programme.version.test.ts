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

describe("programme.version", () => {
  it("answers a stored version's document, so history can show what each version changed", async () => {
    const t = await tenantCallers(db);
    await t.admin.programme.pendingDays.set({ days: 7 });
    await t.admin.programme.pendingDays.set({ days: 14 });
    const [newest] = await t.admin.programme.versions();
    const before = await t.admin.programme.version({ version: newest!.version - 1 });
    const after = await t.admin.programme.version({ version: newest!.version });
    expect(before.config.pendingDays).toBe(7);
    expect(after).toMatchObject({ version: newest!.version, createdBy: t.adminKeyId });
    expect(after.config.pendingDays).toBe(14);
    expect((await t.admin.programme.version({ version: 0 })).config.rules[0]).toMatchObject({ type: "base_rate" });
  });

  it("finds no version of another tenant and no version that does not exist", async () => {
    const mine = await tenantCallers(db);
    const theirs = await tenantCallers(db, "Other Grill");
    await theirs.admin.programme.pendingDays.set({ days: 3 });
    await theirs.admin.programme.pendingDays.set({ days: 4 });
    const [theirNewest] = await theirs.admin.programme.versions();
    const [myNewest] = await mine.admin.programme.versions();
    expect(theirNewest!.version).toBeGreaterThan(myNewest!.version);
    expect((await failure(mine.admin.programme.version({ version: theirNewest!.version }))).code).toBe("NOT_FOUND");
    // Beyond what a Postgres integer holds: refused at the door, not a 500 from the database.
    expect((await failure(mine.admin.programme.version({ version: 2 ** 31 }))).code).toBe("BAD_REQUEST");
  });

  it("is for admin keys only", async () => {
    const t = await tenantCallers(db);
    expect((await failure(t.kiosk.programme.version({ version: 1 }))).code).toBe("FORBIDDEN");
    expect((await failure(t.analyst.programme.version({ version: 1 }))).code).toBe("FORBIDDEN");
  });
});
