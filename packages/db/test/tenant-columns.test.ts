import { testDatabaseUrl } from "@regulars/testing";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

/**
 * Every row, message subject and event carries the tenant (SPEC, multi-tenancy): every table of the migrated
 * database has a `tenant_id` that is never null, but for these, which hold no tenant's data, and why.
 */
const withoutTenant = new Map([
  ["tenants", "the tenants themselves"],
  ["_regulars_migrations", "the schema's own history"],
  ["scheduler_leases", "which process runs the deployment's scheduled jobs"],
  ["ledger_partitions", "the deployment's ledger partitions and their positions in the stream"],
  ["ledger_workers", "the ledger worker processes alive"],
  ["staff_sign_in_failures", "sign-in attempts, counted before anyone is known to belong to a tenant"],
]);

let sql: pg.Client;
beforeAll(async () => {
  sql = new pg.Client({ connectionString: testDatabaseUrl() });
  await sql.connect();
});
afterAll(async () => {
  await sql?.end();
});

describe("the tenant on every row", () => {
  it("is a column that is never null in every table that holds a tenant's data", async () => {
    const { rows } = await sql.query<{ name: string; nullable: string | null }>(`
      SELECT t.table_name AS name, c.is_nullable AS nullable
      FROM information_schema.tables t
      LEFT JOIN information_schema.columns c
        ON c.table_schema = t.table_schema AND c.table_name = t.table_name AND c.column_name = 'tenant_id'
      WHERE t.table_schema = 'public' AND t.table_type = 'BASE TABLE'`);
    const missing = rows.filter((r) => r.nullable !== "NO").map((r) => r.name);
    expect(missing.sort()).toEqual([...withoutTenant.keys()].sort());
  });
});
