import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createAnalytics } from "@regulars/analytics";
import { runRegularsCli, testDatabaseUrl, testDb, testTenant } from "@regulars/testing";
import { afterAll, describe, expect, it } from "vitest";

const db = testDb();
const dataDir = mkdtempSync(join(tmpdir(), "regulars-seed-cli-"));
const regulars = (...args: string[]) =>
  runRegularsCli(args, { DATABASE_URL: testDatabaseUrl(), REGULARS_DATA_DIR: dataDir, CLICKHOUSE_DATABASE: "seeded" });

afterAll(async () => {
  await db.$disconnect();
  rmSync(dataDir, { recursive: true, force: true });
});

describe("regulars seed demo", () => {
  it("adds customers to the tenant in Postgres and their orders to the embedded ClickHouse, with progress", async () => {
    const { tenantId } = await testTenant(db);
    const run = await regulars("seed", "demo", "--customers", "120", "--days", "60", "--tenant", tenantId);
    expect(run.code, run.stderr).toBe(0);
    const summary = run.stdout.match(
      /: 120 customers, (\d+) orders and refunds with (\d+) lines, (\d+) app events over 60 days/,
    );
    expect(summary, run.stdout).not.toBeNull();
    // Not a terminal here: progress comes as lines, the last one at the end.
    expect(run.stderr).toMatch(/seeded 120\/120 customers/);
    expect(await db.customer.count({ where: { tenantId } })).toBe(120);

    const analytics = await createAnalytics({ kind: "chdb", path: join(dataDir, "clickhouse"), database: "seeded" });
    try {
      const result = await analytics.client.query({
        query: "SELECT count() AS n FROM seeded.transactions FINAL WHERE tenant_id = {tenant:String}",
        query_params: { tenant: tenantId },
        format: "JSONEachRow",
      });
      expect(Number(((await result.json()) as { n: string }[])[0]!.n)).toBe(Number(summary![1]));
    } finally {
      await analytics.close();
    }
  });

  it("names the flag that is wrong and exits 2", async () => {
    const run = await regulars("seed", "demo", "--customers", "0", "--days", "x");
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("--customers: ");
    expect(run.stderr).toContain("--days: ");
  });
});
