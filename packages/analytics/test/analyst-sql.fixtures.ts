import { expect } from "vitest";
import {
  type AnalystSqlLimits,
  AnalystSqlRefused,
  type AnalystSqlResult,
  type AnalystSqlRule,
  type Analytics,
  defaultAnalystSqlLimits,
  runAnalystSql,
} from "../src/index.ts";
import { eventFact, transactionFact } from "./fixtures.ts";

// Two tenants with recognisable data: everything of tenant B carries "beta", so a leak shows up as the
// word in a result. Dates are fixed and in the past: nothing depends on today.

export const tenantA = "ten_alpha";
export const tenantB = "ten_beta";

/** A table in the engine's current database, which unqualified names would reach without the bindings. */
export const currentDatabaseTable = "secret_notes";

const line = (lineNo: number, sku: string, category: string | null, amount: number) => ({
  lineNo,
  sku,
  name: sku,
  category,
  tags: category ? [category] : [],
  quantity: 1,
  unitPrice: amount,
  discount: 0,
  amount,
});

export async function seedTwoTenants(analytics: Analytics): Promise<void> {
  await analytics.insertTransactions([
    transactionFact({
      tenantId: tenantA,
      transactionId: "tx_a1",
      customerId: "cus_anna",
      occurredAt: "2024-05-10T09:00:00Z",
      total: 1000,
      points: 10,
      lines: [line(1, "FLAT-WHITE", "coffee", 400), line(2, "CROISSANT", "bakery", 600)],
    }),
    transactionFact({
      tenantId: tenantA,
      transactionId: "tx_a2",
      customerId: "cus_anna",
      occurredAt: "2024-05-11T09:00:00Z",
      total: 400,
      points: 4,
      lines: [line(1, "FLAT-WHITE", "coffee", 400)],
    }),
    transactionFact({
      tenantId: tenantA,
      transactionId: "tx_a3",
      customerId: "cus_ben",
      occurredAt: "2024-06-01T12:00:00Z",
      total: 2500,
      points: 25,
      lines: [line(1, "LUNCH-MENU", "lunch", 2500)],
    }),
    transactionFact({
      tenantId: tenantB,
      transactionId: "tx_beta1",
      customerId: "cus_beta_secret",
      occurredAt: "2024-05-10T09:00:00Z",
      total: 99_999,
      points: 999,
      lines: [line(1, "BETA-SECRET-SKU", "beta_category", 99_999)],
    }),
  ]);
  await analytics.insertEvents([
    eventFact({ tenantId: tenantA, eventId: "ev_a1", type: "app_open", customerId: "cus_anna" }),
    eventFact({
      tenantId: tenantA,
      eventId: "ev_a2",
      type: "screen_view",
      customerId: "cus_ben",
      properties: { screen: "menu" },
    }),
    eventFact({
      tenantId: tenantB,
      eventId: "ev_beta1",
      type: "beta_event",
      customerId: "cus_beta_secret",
      properties: { screen: "beta" },
    }),
  ]);
  await analytics.client.command({
    query: `CREATE TABLE IF NOT EXISTS default.${currentDatabaseTable} (v String) ENGINE = Memory`,
  });
  await analytics.client.command({ query: `INSERT INTO default.${currentDatabaseTable} VALUES ('beta s3cr3t')` });
}

export function analystRunner(analytics: Analytics) {
  const run = (sql: string, tenantId = tenantA, limits: AnalystSqlLimits = defaultAnalystSqlLimits) =>
    runAnalystSql(analytics, tenantId, sql, limits);

  /** The refusal of a query that must not run; a result instead fails the test and shows what leaked. */
  const refusal = async (sql: string, limits?: AnalystSqlLimits): Promise<AnalystSqlRefused> => {
    let result: AnalystSqlResult;
    try {
      result = await run(sql, tenantA, limits);
    } catch (e) {
      if (e instanceof AnalystSqlRefused) return e;
      throw e;
    }
    throw new Error(`expected a refusal, got ${JSON.stringify(result.rows).slice(0, 300)}`);
  };

  const expectRefused = async (sql: string, rules: AnalystSqlRule | AnalystSqlRule[], limits?: AnalystSqlLimits) => {
    const e = await refusal(sql, limits);
    expect([rules].flat(), `${sql} was refused by ${e.rule}: ${e.message}`).toContain(e.rule);
    expect(JSON.stringify(e.message)).not.toMatch(/beta/i);
    return e;
  };

  /** Rows of a query that must run, as objects by column name, with nothing of tenant B in them. */
  const rowsOf = async (sql: string, tenantId = tenantA) => {
    const result = await run(sql, tenantId);
    if (tenantId === tenantA) expect(JSON.stringify(result.rows)).not.toMatch(/beta/i);
    return result.rows.map((row) => Object.fromEntries(result.columns.map((c, i) => [c.name, row[i]])));
  };

  return { run, refusal, expectRefused, rowsOf };
}
