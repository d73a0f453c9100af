import { describe, expect, it } from "vitest";
import { migrateDatabase } from "../src/index.ts";
import { scratchDatabases } from "./fixtures.ts";

const migration = "0070_campaigns_last_run_and_resume";

const scratch = scratchDatabases();

describe(`migration ${migration}`, () => {
  it("gives each broadcast that ran its latest run; one that never ran and other campaigns none", async () => {
    const { url, client } = await scratch.before(migration);
    await client.query("INSERT INTO tenants (id, name, timezone, currency) VALUES ('ten_a', 'A', 'UTC', 'EUR')");
    await client.query("INSERT INTO customers (id, tenant_id, created_via) VALUES ('cus_a', 'ten_a', 'pos')");
    for (const [id, trigger] of [
      ["ran", "broadcast"],
      ["never", "broadcast"],
      ["always", "always_on"],
    ])
      await client.query(
        `INSERT INTO campaigns (id, tenant_id, name, status, trigger_type, version, created_by)
         VALUES ($1, 'ten_a', $1, 'active', $2, 1, 'test')`,
        [id, trigger],
      );
    const enrolments = [
      ["ran", "broadcast:2026-01-01T17:00:00.000Z", "2026-01-01T17:00:00.000Z"],
      ["ran", "broadcast:2026-01-02T17:00:00.000Z", "2026-01-02T17:00:00.000Z"],
      ["always", "always_on:start:2026-01-03T10:00:00.000Z", "2026-01-03T10:00:00.000Z"],
    ];
    for (const [i, [campaign, occurrence, at]] of enrolments.entries())
      await client.query(
        `INSERT INTO campaign_enrolments (id, tenant_id, campaign_id, version, customer_id, occurrence, occurred_at,
           outcome)
         VALUES ($1, 'ten_a', $2, 1, 'cus_a', $3, $4, 'entered')`,
        [`enr_${i}`, campaign, occurrence, at],
      );

    expect((await migrateDatabase(url)).applied).toContain(migration);

    const rows = await client.query<{ id: string; last_run_at: Date | null; resumed_at: Date | null }>(
      'SELECT id, last_run_at, resumed_at FROM campaigns ORDER BY id COLLATE "C"',
    );
    expect(rows.rows).toEqual([
      { id: "always", last_run_at: null, resumed_at: null },
      { id: "never", last_run_at: null, resumed_at: null },
      { id: "ran", last_run_at: new Date("2026-01-02T17:00:00.000Z"), resumed_at: null },
    ]);
  });
});
