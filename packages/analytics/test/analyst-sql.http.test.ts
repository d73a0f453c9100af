import { randomBytes } from "node:crypto";
import { type ClickHouseHttpServer, startClickHouseHttpServer } from "@regulars/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Analytics, createAnalytics } from "../src/index.ts";
import { analystRunner, seedTwoTenants } from "./analyst-sql.fixtures.ts";

// The production path: @clickhouse/client over the ClickHouse HTTP interface (served over chdb here).
// The statements are the same; the transport (output formats, errors, parameters) is not.

let server: ClickHouseHttpServer;
let analytics: Analytics;
let sql: ReturnType<typeof analystRunner>;

beforeAll(async () => {
  server = await startClickHouseHttpServer();
  analytics = await createAnalytics({
    kind: "http",
    url: server.url,
    database: `ah_${randomBytes(4).toString("hex")}`,
  });
  await analytics.migrate();
  await seedTwoTenants(analytics);
  sql = analystRunner(analytics);
}, 60_000);
afterAll(async () => {
  await analytics?.close();
  await server?.stop();
});

describe("analyst SQL over HTTP", () => {
  it("runs a join over the tenant's rows", async () => {
    expect(
      await sql.rowsOf(
        `SELECT t.customer_id AS customer, sum(l.amount) AS amount
           FROM transactions AS t JOIN transaction_lines AS l ON l.transaction_id = t.id
          GROUP BY customer ORDER BY customer`,
      ),
    ).toEqual([
      { customer: "cus_anna", amount: "1400" },
      { customer: "cus_ben", amount: "2500" },
    ]);
  });

  it("refuses by the same rules and stops at the same limits", async () => {
    await sql.expectRefused("SELECT * FROM system.tables", "qualified_table");
    await sql.expectRefused("SELECT 1; DROP TABLE transactions", "multiple_statements");
    await sql.expectRefused("SELECT * FROM numbers(1e12)", "table_function");
    await sql.expectRefused("SELECT * FROM secret_notes", "unknown_table");
    await sql.expectRefused("SELECT count() FROM transactions SETTINGS readonly = 0", "settings");
    await sql.expectRefused("SELECT file('/etc/passwd')", "function");
    await sql.expectRefused("SELECT arrayJoin(range(20000)) AS n", "result_limit");
    expect(await sql.rowsOf("SELECT count() AS n FROM events")).toEqual([{ n: "2" }]);
  });
});
