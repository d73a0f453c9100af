import type { Db } from "@regulars/db";
import { testDb } from "@regulars/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { failure, tenantCallers } from "./helpers.ts";

let db: Db;
let t: Awaited<ReturnType<typeof tenantCallers>>;

beforeAll(async () => {
  db = testDb();
  t = await tenantCallers(db, "Console Grill");
});
afterAll(async () => {
  await db?.$disconnect();
});

describe("analytics.sqlTables", () => {
  it("names the tables analyst SQL may read, with their columns and never tenant_id", async () => {
    const tables = await t.analyst.analytics.sqlTables();
    expect(tables.map((table) => table.name)).toEqual(["transactions", "transaction_lines", "events"]);
    for (const table of tables) {
      expect(table.columns.length).toBeGreaterThan(0);
      expect(table.columns).not.toContain("tenant_id");
    }
    expect(tables.find((table) => table.name === "transactions")?.columns).toContain("total");
    expect(await t.admin.analytics.sqlTables()).toEqual(tables);
  });

  it("is for analyst and admin keys only", async () => {
    for (const caller of [t.pos, t.kiosk]) expect((await failure(caller.analytics.sqlTables())).code).toBe("FORBIDDEN");
  });
});
