import { testAnalytics } from "@regulars/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Analytics } from "../src/index.ts";
import { analystRunner, seedTwoTenants, tenantB } from "./analyst-sql.fixtures.ts";

// Analytical SQL an analyst would write: it runs, and sees only the analyst's tenant.

let analytics: Analytics & { dispose(): Promise<void> };
let sql: ReturnType<typeof analystRunner>;

beforeAll(async () => {
  analytics = await testAnalytics();
  await seedTwoTenants(analytics);
  sql = analystRunner(analytics);
});
afterAll(async () => {
  await analytics?.dispose();
});

describe("analyst SQL over the tenant's own rows", () => {
  it("counts and sums only the tenant's transactions, and the other tenant only theirs", async () => {
    const query = "SELECT count() AS n, sum(total) AS revenue, uniqExact(customer_id) AS customers FROM transactions";
    expect(await sql.rowsOf(query)).toEqual([{ n: "3", revenue: "3900", customers: "2" }]);
    expect(await sql.rowsOf(query, tenantB)).toEqual([{ n: "1", revenue: "99999", customers: "1" }]);
  });

  it("returns columns with their ClickHouse types, 64-bit integers as strings, and read statistics", async () => {
    const empty = await sql.run("SELECT sku, tags FROM transaction_lines WHERE quantity > 100");
    expect(empty).toMatchObject({ columns: [{ name: "sku" }, { name: "tags" }], rows: [] });
    const typed = await sql.run("SELECT id, total, occurred_at FROM transactions ORDER BY occurred_at LIMIT 1");
    expect(typed.columns).toEqual([
      { name: "id", type: "String" },
      { name: "total", type: "Int64" },
      { name: "occurred_at", type: "DateTime64(3, 'UTC')" },
    ]);
    expect(typed.rows).toEqual([["tx_a1", "1000", "2024-05-10 09:00:00.000"]]);
    expect(typed.statistics.rowsRead).toBeGreaterThan(0);
  });

  it("groups, orders and limits", async () => {
    const rows = await sql.rowsOf(
      `SELECT customer_id, count() AS visits, sum(total) AS spend
         FROM transactions GROUP BY customer_id ORDER BY spend DESC`,
    );
    expect(rows).toEqual([
      { customer_id: "cus_ben", visits: "1", spend: "2500" },
      { customer_id: "cus_anna", visits: "2", spend: "1400" },
    ]);
  });

  it("runs window functions", async () => {
    const rows = await sql.rowsOf(
      `SELECT id, sum(total) OVER (PARTITION BY customer_id ORDER BY occurred_at) AS running,
              row_number() OVER (ORDER BY occurred_at) AS n
         FROM transactions ORDER BY n`,
    );
    expect(rows).toEqual([
      { id: "tx_a1", running: "1000", n: "1" },
      { id: "tx_a2", running: "1400", n: "2" },
      { id: "tx_a3", running: "2500", n: "3" },
    ]);
  });

  it("joins the allowed tables to one another", async () => {
    const rows = await sql.rowsOf(
      `SELECT l.category AS category, sum(l.amount) AS amount, count(DISTINCT t.id) AS baskets
         FROM transaction_lines AS l
         INNER JOIN transactions AS t ON t.id = l.transaction_id
        GROUP BY category ORDER BY category`,
    );
    expect(rows).toEqual([
      { category: "bakery", amount: "600", baskets: "1" },
      { category: "coffee", amount: "800", baskets: "2" },
      { category: "lunch", amount: "2500", baskets: "1" },
    ]);
  });

  it("joins with CROSS JOIN and commas, and unfolds arrays with ARRAY JOIN, over the tenant's rows only", async () => {
    const pairs = "SELECT count() AS n FROM transactions AS t CROSS JOIN transaction_lines AS l";
    expect(await sql.rowsOf(pairs)).toEqual([{ n: "12" }]);
    expect(await sql.rowsOf(pairs, tenantB)).toEqual([{ n: "1" }]);
    expect(
      await sql.rowsOf(
        `SELECT t.id AS id, count() AS lines FROM transactions AS t, transaction_lines AS l
          WHERE l.transaction_id = t.id GROUP BY id ORDER BY id`,
      ),
    ).toEqual([
      { id: "tx_a1", lines: "2" },
      { id: "tx_a2", lines: "1" },
      { id: "tx_a3", lines: "1" },
    ]);
    expect(await sql.rowsOf("SELECT a, b FROM (SELECT 1 AS a) x, (SELECT 2 AS b) y")).toEqual([{ a: 1, b: 2 }]);

    const perTag = "SELECT tag, count() AS n FROM transaction_lines ARRAY JOIN tags AS tag GROUP BY tag ORDER BY tag";
    expect(await sql.rowsOf(perTag)).toEqual([
      { tag: "bakery", n: "1" },
      { tag: "coffee", n: "2" },
      { tag: "lunch", n: "1" },
    ]);
    expect(await sql.rowsOf(perTag, tenantB)).toEqual([{ tag: "beta_category", n: "1" }]);
    // LEFT keeps the lines whose array is empty.
    expect(
      await sql.rowsOf(
        `SELECT sku, tag FROM transaction_lines LEFT ARRAY JOIN arrayFilter(x -> x = 'coffee', tags) AS tag
          ORDER BY transaction_id, line_no`,
      ),
    ).toEqual([
      { sku: "FLAT-WHITE", tag: "coffee" },
      { sku: "CROISSANT", tag: "" },
      { sku: "FLAT-WHITE", tag: "coffee" },
      { sku: "LUNCH-MENU", tag: "" },
    ]);
  });

  it("takes the analyst's own CTEs, subqueries, IN, EXISTS and UNION over allowed tables", async () => {
    expect(
      await sql.rowsOf(
        `WITH spend AS (SELECT customer_id, sum(total) AS s FROM transactions GROUP BY customer_id)
         SELECT customer_id FROM spend WHERE s > (SELECT sum(total) FROM transactions) / 2 ORDER BY customer_id`,
      ),
    ).toEqual([{ customer_id: "cus_ben" }]);
    // An own CTE may reuse an allowed name; inside it, the name still means the tenant's table.
    expect(
      await sql.rowsOf(
        "WITH transactions AS (SELECT * FROM transactions WHERE total > 500) SELECT count() AS n FROM transactions",
      ),
    ).toEqual([{ n: "2" }]);
    expect(
      await sql.rowsOf(
        `SELECT count() AS n FROM transaction_lines
          WHERE transaction_id IN (SELECT id FROM transactions WHERE customer_id = 'cus_anna')`,
      ),
    ).toEqual([{ n: "3" }]);
    expect(
      await sql.rowsOf(
        `SELECT id FROM transactions AS t
          WHERE EXISTS (SELECT 1 FROM events AS e WHERE e.customer_id = t.customer_id) ORDER BY id`,
      ),
    ).toEqual([{ id: "tx_a1" }, { id: "tx_a2" }, { id: "tx_a3" }]);
    expect(
      await sql.rowsOf(
        `SELECT customer_id FROM (SELECT customer_id FROM transactions UNION DISTINCT SELECT customer_id FROM events)
          ORDER BY customer_id`,
      ),
    ).toEqual([{ customer_id: "cus_anna" }, { customer_id: "cus_ben" }]);
  });

  it("reads arrays and JSON properties", async () => {
    expect(
      await sql.rowsOf("SELECT arrayJoin(tags) AS tag, count() AS n FROM transaction_lines GROUP BY tag ORDER BY tag"),
    ).toEqual([
      { tag: "bakery", n: "1" },
      { tag: "coffee", n: "2" },
      { tag: "lunch", n: "1" },
    ]);
    expect(
      await sql.rowsOf(
        "SELECT JSONExtractString(properties, 'screen') AS screen FROM events WHERE type = 'screen_view'",
      ),
    ).toEqual([{ screen: "menu" }]);
  });

  it("accepts comments, a trailing semicolon, quoted allowed names and a SELECT without FROM", async () => {
    expect(
      await sql.rowsOf(`-- visits per customer
        SELECT /* all of them */ count() AS n FROM "transactions"; `),
    ).toEqual([{ n: "3" }]);
    expect(await sql.rowsOf("SELECT count() AS n FROM `events` -- ; DROP TABLE events")).toEqual([{ n: "2" }]);
    expect(await sql.rowsOf("SELECT 1 + 1 AS two")).toEqual([{ two: 2 }]);
  });

  it("hides the tenant column: the tenant is implicit", async () => {
    const e = await sql.refusal("SELECT count() FROM transactions WHERE tenant_id = 'ten_beta'");
    expect(e.rule).toBe("query_error");
    expect(e.message).toMatch(/tenant_id/);
  });
});
