import { testAnalytics } from "@regulars/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Analytics } from "../src/index.ts";
import { analystRunner, seedTwoTenants } from "./analyst-sql.fixtures.ts";

// A runner whose client is logged in as a read-only user (not the API's: docs/analyst-sql.md) has `readonly`
// fixed by that user's profile, and ClickHouse refuses a statement that sets it again. Here the engine's
// session is made read-only the same way (chdb keeps a SET for the session); this file has its own
// process, so nothing else shares it.

let analytics: Analytics & { dispose(): Promise<void> };
let sql: ReturnType<typeof analystRunner>;

beforeAll(async () => {
  analytics = await testAnalytics();
  await seedTwoTenants(analytics);
  await analytics.client.command({ query: "SET readonly = 2" });
  sql = analystRunner(analytics);
});
afterAll(async () => {
  await analytics?.dispose();
});

describe("on a connection that is read-only already", () => {
  it("the engine refuses to set readonly again, which is why the statement leaves it out", async () => {
    const e = await analytics.client.query({ query: "SELECT 1 SETTINGS readonly = 1" }).catch((error) => error);
    expect((e as { type?: string }).type).toBe("READONLY");
  });

  it("runs analyst SQL with its limits, and the writes stay refused", async () => {
    expect(await sql.rowsOf("SELECT count() AS n FROM transactions")).toEqual([{ n: "3" }]);
    await sql.expectRefused("SELECT arrayJoin(range(20000)) AS n", "result_limit");
    const write = await analytics.client
      .command({ query: `INSERT INTO ${analytics.database}.events (id) VALUES ('x')` })
      .catch((error) => error);
    expect((write as { type?: string }).type).toBe("READONLY");
  });
});
