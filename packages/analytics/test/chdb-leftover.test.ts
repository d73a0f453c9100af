import { testAnalytics } from "@regulars/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Analytics, runAnalystSql } from "../src/index.ts";
import { seedTwoTenants, tenantA, tenantB } from "./analyst-sql.fixtures.ts";

// chdb hands a failed statement's partial output out in front of the next result on the connection.
// Whatever is queued on the shared client while tenant A's query fails (tenant B's analyst query, a
// dashboard count, a segment refresh's TabSeparated read) must get its own result and nothing of A's.

let analytics: Analytics & { dispose(): Promise<void> };

beforeAll(async () => {
  analytics = await testAnalytics();
  await seedTwoTenants(analytics);
});
afterAll(async () => {
  await analytics?.dispose();
});

/** Over the result limit (10 000 rows): chdb has written part of the JSON when the limit stops it. */
const overLimit =
  "SELECT 'ALPHA_SECRET' AS v, x FROM (SELECT arrayJoin(range(9000)) AS x UNION ALL SELECT arrayJoin(range(9000)) AS x)";
const rounds = 12;

describe("a failed statement's leftover output on the shared chdb client", () => {
  it("never reaches tenant B's queries racing it, and B's queries succeed", async () => {
    const problems: string[] = [];
    for (let round = 0; round < rounds; round++) {
      let settled = false;
      const failing = runAnalystSql(analytics, tenantA, overLimit).then(
        () => problems.push(`round ${round}: A's over-limit query returned rows`),
        (error: Error) => {
          if (!/result_limit/.test(error.message)) problems.push(`round ${round}: A failed with ${error.message}`);
        },
      );
      void failing.finally(() => {
        settled = true;
      });
      const reads: Promise<unknown>[] = [];
      do {
        reads.push(
          runAnalystSql(analytics, tenantB, "SELECT count() AS n FROM transactions").then(
            (result) => {
              if (JSON.stringify(result.rows) !== '[["1"]]')
                problems.push(`B's analyst query: ${JSON.stringify(result.rows).slice(0, 80)}`);
            },
            (error: Error) => problems.push(`B's analyst query failed: ${error.message.slice(0, 120)}`),
          ),
          analytics.client
            .query({
              query: `SELECT customer_id FROM ${analytics.database}.transactions FINAL WHERE tenant_id = 'ten_beta'`,
              format: "TabSeparated",
            })
            .then((result) => result.text())
            .then(
              (text) => {
                if (text !== "cus_beta_secret\n")
                  problems.push(`B's TSV read got ${text.length} chars: ${text.slice(0, 60)}`);
              },
              (error: Error) => problems.push(`B's TSV read failed: ${error.message.slice(0, 120)}`),
            ),
          analytics.countTransactions(tenantB).then(
            (n) => {
              if (n !== 1) problems.push(`B's count: ${n}`);
            },
            (error: Error) => problems.push(`B's count failed: ${error.message.slice(0, 120)}`),
          ),
        );
        await Promise.race([failing, reads.at(-1)]);
      } while (!settled && reads.length < 300);
      await Promise.all([failing, ...reads]);
    }
    expect(problems).toEqual([]);
    expect(JSON.stringify(problems)).not.toContain("ALPHA_SECRET");
  });

  it("leaves nothing behind for the next statement of the same caller either", async () => {
    await expect(runAnalystSql(analytics, tenantA, overLimit)).rejects.toThrow(/result_limit/);
    const next = await analytics.client.query({ query: "SELECT 'next' AS n", format: "TabSeparated" });
    expect(await next.text()).toBe("next\n");
  });
});
