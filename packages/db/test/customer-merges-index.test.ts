import { readFile } from "node:fs/promises";
import { testDatabaseUrl } from "@regulars/testing";
import pg from "pg";
import { afterAll, beforeAll, expect, it } from "vitest";

// The tier pass reads the merges of a tenant made since its last pass (`survivorsOfMerges` in @regulars/ledger-store)
// on every version that qualifies as the last: by tenant and time, through an index (migration 0071), not by reading
// every merge of every tenant.

let sql: pg.Client;
beforeAll(async () => {
  sql = new pg.Client({ connectionString: testDatabaseUrl() });
  await sql.connect();
});
afterAll(async () => {
  await sql?.end();
});

it("finds a tenant's merges since a time through the index on tenant and merge time, which the schema names", async () => {
  await sql.query("BEGIN");
  try {
    // Whatever the table holds now: only a plan with an index on the filter's columns stays off a full read.
    await sql.query("SET LOCAL enable_seqscan = off");
    const plan = await sql.query<{ "QUERY PLAN": string }>(
      "EXPLAIN SELECT into_id FROM customer_merges WHERE tenant_id = $1 AND merged_at >= $2",
      ["ten_1", new Date()],
    );
    const text = plan.rows.map((r) => r["QUERY PLAN"]).join("\n");
    expect(text).toContain("customer_merges_tenant_merged_at_idx");
    expect(text).toMatch(/Index Cond: \(\(tenant_id = .*\) AND \(merged_at >= /);
  } finally {
    await sql.query("ROLLBACK");
  }
  const schema = await readFile(new URL("../prisma/schema.prisma", import.meta.url), "utf8");
  expect(schema).toContain('@@index([tenantId, mergedAt], map: "customer_merges_tenant_merged_at_idx")');
});
