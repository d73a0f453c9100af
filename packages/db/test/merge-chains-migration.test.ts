import { describe, expect, it } from "vitest";
import { migrateDatabase } from "../src/index.ts";
import { scratchDatabases } from "./fixtures.ts";

const flattening = "0038_customer_merges_last_survivor";

const scratch = scratchDatabases();

describe(`migration ${flattening}`, () => {
  it("points every recorded merge at the last survivor of its chain, keeping whom it merged into", async () => {
    const { url, client } = await scratch.before(flattening);
    await client.query("INSERT INTO tenants (id, name, timezone, currency) VALUES ('ten_1', 'Chains', 'UTC', 'EUR')");
    const ids = ["till", "phone_only", "app", "later_app", "single_till", "single_app"];
    await client.query(
      "INSERT INTO customers (id, tenant_id, created_via) SELECT id, 'ten_1', 'pos' FROM unnest($1::text[]) id",
      [ids],
    );
    // till -> phone_only -> app -> later_app, recorded as a chain; and a merge of its own.
    await client.query(
      `INSERT INTO customer_merges (merged_id, tenant_id, into_id, merged_at, moved)
       SELECT merged_id, 'ten_1', into_id, now() - make_interval(days => days), jsonb_build_object('points', days)
       FROM unnest($1::text[], $2::text[], $3::int[]) AS x(merged_id, into_id, days)`,
      [
        ["till", "phone_only", "app", "single_till"],
        ["phone_only", "app", "later_app", "single_app"],
        [30, 20, 10, 5],
      ],
    );

    expect((await migrateDatabase(url)).applied).toContain(flattening);

    const { rows } = await client.query(
      "SELECT merged_id, into_id, original_into_id, moved FROM customer_merges ORDER BY merged_id",
    );
    expect(rows).toEqual([
      { merged_id: "app", into_id: "later_app", original_into_id: null, moved: { points: 10 } },
      { merged_id: "phone_only", into_id: "later_app", original_into_id: "app", moved: { points: 20 } },
      { merged_id: "single_till", into_id: "single_app", original_into_id: null, moved: { points: 5 } },
      { merged_id: "till", into_id: "later_app", original_into_id: "phone_only", moved: { points: 30 } },
    ]);
  });
});
