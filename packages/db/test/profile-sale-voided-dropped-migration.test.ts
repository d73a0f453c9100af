import { describe, expect, it } from "vitest";
import { migrateDatabase } from "../src/index.ts";
import { scratchDatabases } from "./fixtures.ts";

const migration = "0073_drop_profile_sale_voided";

const scratch = scratchDatabases();

// The void rule has one home, @regulars/ledger-store's `voided-sales.ts`: the SQL function that restated it is gone,
// so nothing can judge by a copy that drifted.
describe(`migration ${migration}`, () => {
  it("drops profile_sale_voided, which 0067 created", async () => {
    const { url, client } = await scratch.before(migration);
    const fn = "SELECT to_regprocedure('profile_sale_voided(text, text)') IS NOT NULL AS present";
    expect((await client.query(fn)).rows[0].present).toBe(true);

    expect((await migrateDatabase(url)).applied).toContain(migration);

    expect((await client.query(fn)).rows[0].present).toBe(false);
  });
});
