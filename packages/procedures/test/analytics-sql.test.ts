import type { Db } from "@regulars/db";
import { findCredential } from "@regulars/tenancy";
import { testAnalytics, testDb, testTenant } from "@regulars/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createCaller } from "../src/root.ts";
import { failure, issuesOf } from "./helpers.ts";

// analytics.sql through the tRPC procedure: who may call it, what it answers, how refusals read.

let db: Db;
let analytics: Awaited<ReturnType<typeof testAnalytics>>;
let mine: Awaited<ReturnType<typeof testTenant>>;
let theirs: Awaited<ReturnType<typeof testTenant>>;

const sale = (tenantId: string, transactionId: string, total: number) => ({
  tenantId,
  transactionId,
  externalId: `pos_${transactionId}`,
  type: "sale" as const,
  refundOf: null,
  occurredAt: "2024-05-10T12:00:00Z",
  locationId: "loc_main",
  channel: "pos",
  customerId: "cus_anna",
  currency: "EUR",
  total,
  discountTotal: 0,
  points: 1,
  lines: [],
});

beforeAll(async () => {
  db = testDb();
  analytics = await testAnalytics();
  mine = await testTenant(db, "Analyst Grill");
  theirs = await testTenant(db, "Other Grill");
  await analytics.insertTransactions([
    sale(mine.tenantId, "tx_mine_1", 1200),
    sale(mine.tenantId, "tx_mine_2", 800),
    sale(theirs.tenantId, "tx_theirs_1", 99_999),
  ]);
});
afterAll(async () => {
  await analytics?.dispose();
  await db?.$disconnect();
});

const callerFor = async (key: string, withAnalytics = true) => {
  const credential = await findCredential(db, key);
  if (!credential) throw new Error("the test key was not found");
  return createCaller({ db, credential, requestId: "req_test", analytics: withAnalytics ? analytics : null });
};

describe("analytics.sql", () => {
  it("answers an analyst's query with columns and rows of the analyst's tenant only", async () => {
    const analyst = await callerFor(mine.apiKeys.analyst);
    const result = await analyst.analytics.sql({ sql: "SELECT count() AS n, sum(total) AS revenue FROM transactions" });
    expect(result.columns).toEqual([
      { name: "n", type: "UInt64" },
      { name: "revenue", type: "Int64" },
    ]);
    expect(result.rows).toEqual([["2", "2000"]]);
    expect(result.statistics.rowsRead).toBeGreaterThan(0);
  });

  it("is open to admin keys and closed to till and kiosk keys", async () => {
    const admin = await callerFor(mine.apiKeys.admin);
    expect((await admin.analytics.sql({ sql: "SELECT count() FROM transactions" })).rows).toEqual([["2"]]);
    for (const key of [mine.apiKeys.pos, mine.apiKeys.kiosk]) {
      const e = await failure((await callerFor(key)).analytics.sql({ sql: "SELECT 1" }));
      expect(e.code).toBe("FORBIDDEN");
    }
  });

  it("takes a multi-line query as its lines, comments ending at each line's end", async () => {
    const analyst = await callerFor(mine.apiKeys.analyst);
    const result = await analyst.analytics.sql({
      sql: ["-- the big baskets ; DROP TABLE transactions", "SELECT id", "  FROM transactions", " WHERE total > 1000"],
    });
    expect(result.rows).toEqual([["tx_mine_1"]]);
  });

  it("names the rule that refused a query, as a bad request with the issue on sql", async () => {
    const analyst = await callerFor(mine.apiKeys.analyst);
    const e = await failure(analyst.analytics.sql({ sql: "SELECT * FROM system.tables" }));
    expect(e.code).toBe("BAD_REQUEST");
    expect(e.message).toMatch(/^the query was refused by rule qualified_table: /);
    expect(issuesOf(e)).toEqual([{ path: "sql", message: expect.stringMatching(/^qualified_table: /) }]);
  });

  it("answers a query stopped by a limit as unprocessable", async () => {
    const analyst = await callerFor(mine.apiKeys.analyst);
    const e = await failure(analyst.analytics.sql({ sql: "SELECT arrayJoin(range(20000)) AS n" }));
    expect(e.code).toBe("UNPROCESSABLE_CONTENT");
    expect(e.message).toMatch(/result_limit/);
  });

  it("refuses an empty query and a string with a newline before it reaches ClickHouse", async () => {
    const analyst = await callerFor(mine.apiKeys.analyst);
    expect((await failure(analyst.analytics.sql({ sql: "" }))).code).toBe("BAD_REQUEST");
    const e = await failure(analyst.analytics.sql({ sql: "SELECT 1\nFROM transactions" }));
    expect(issuesOf(e)).toEqual([{ path: "sql", message: expect.stringMatching(/control characters/) }]);
  });

  it("says analytics is unavailable where the API process has no ClickHouse", async () => {
    const analyst = await callerFor(mine.apiKeys.analyst, false);
    const e = await failure(analyst.analytics.sql({ sql: "SELECT 1" }));
    expect(e.code).toBe("SERVICE_UNAVAILABLE");
    expect(e.message).toMatch(/CLICKHOUSE_URL/);
  });
});
