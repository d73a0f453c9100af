import { describe, expect, it } from "vitest";
import { migrateDatabase } from "../src/index.ts";
import { scratchDatabases } from "./fixtures.ts";

const migration = "0061_milestone_crossings_crossed_at";

const scratch = scratchDatabases();

const at = (iso: string) => new Date(iso);

describe(`migration ${migration}`, () => {
  it("keeps an open crossing's time and gives a closed one the latest moment known to precede it", async () => {
    const { url, client } = await scratch.before(migration);
    await client.query("INSERT INTO tenants (id, name, timezone, currency) VALUES ('ten_a', 'A', 'UTC', 'EUR')");
    const customers: [string, string][] = [
      ["cus_open", "2026-01-01T10:00:00Z"],
      ["cus_again", "2026-01-01T10:00:00Z"],
      // Recorded as created after its crossing closed: the close still bounds the crossing from above.
      ["cus_late", "2026-03-01T10:00:00Z"],
    ];
    for (const [id, createdAt] of customers)
      await client.query(
        "INSERT INTO customers (id, tenant_id, created_via, created_at) VALUES ($1, 'ten_a', 'test', $2)",
        [id, createdAt],
      );
    const rows: [string, number, number, boolean, string][] = [
      ["cus_open", 100, 1, true, "2026-02-01T10:00:00Z"],
      ["cus_again", 100, 1, false, "2026-02-05T10:00:00Z"],
      ["cus_again", 100, 2, false, "2026-02-20T10:00:00Z"],
      ["cus_again", 100, 3, true, "2026-02-25T10:00:00Z"],
      ["cus_again", 500, 1, false, "2026-02-28T10:00:00Z"],
      ["cus_late", 100, 1, false, "2026-02-15T10:00:00Z"],
    ];
    for (const [customer, threshold, crossing, above, changedAt] of rows)
      await client.query(
        `INSERT INTO milestone_crossings (customer_id, threshold, crossing, tenant_id, above, changed_at)
         VALUES ($1, $2, $3, 'ten_a', $4, $5)`,
        [customer, threshold, crossing, above, changedAt],
      );

    expect((await migrateDatabase(url)).applied).toContain(migration);

    const migrated = await client.query(
      `SELECT customer_id, threshold::int, crossing, crossed_at, changed_at FROM milestone_crossings
       ORDER BY customer_id, threshold, crossing`,
    );
    expect(migrated.rows).toEqual([
      // Another threshold's crossings say nothing of this one's: only the customer's creation bounds it.
      {
        customer_id: "cus_again",
        threshold: 100,
        crossing: 1,
        crossed_at: at("2026-01-01T10:00:00Z"),
        changed_at: at("2026-02-05T10:00:00Z"),
      },
      // Opened no earlier than the previous crossing's close.
      {
        customer_id: "cus_again",
        threshold: 100,
        crossing: 2,
        crossed_at: at("2026-02-05T10:00:00Z"),
        changed_at: at("2026-02-20T10:00:00Z"),
      },
      {
        customer_id: "cus_again",
        threshold: 100,
        crossing: 3,
        crossed_at: at("2026-02-25T10:00:00Z"),
        changed_at: at("2026-02-25T10:00:00Z"),
      },
      {
        customer_id: "cus_again",
        threshold: 500,
        crossing: 1,
        crossed_at: at("2026-01-01T10:00:00Z"),
        changed_at: at("2026-02-28T10:00:00Z"),
      },
      {
        customer_id: "cus_late",
        threshold: 100,
        crossing: 1,
        crossed_at: at("2026-02-15T10:00:00Z"),
        changed_at: at("2026-02-15T10:00:00Z"),
      },
      {
        customer_id: "cus_open",
        threshold: 100,
        crossing: 1,
        crossed_at: at("2026-02-01T10:00:00Z"),
        changed_at: at("2026-02-01T10:00:00Z"),
      },
    ]);

    // A crossing recorded from now on is stamped without being named.
    await client.query(
      "INSERT INTO milestone_crossings (customer_id, threshold, crossing, tenant_id, above) VALUES ('cus_open', 200, 1, 'ten_a', true)",
    );
    const [fresh] = (await client.query("SELECT crossed_at, changed_at FROM milestone_crossings WHERE threshold = 200"))
      .rows;
    expect(fresh.crossed_at).toEqual(fresh.changed_at);
  });
});
