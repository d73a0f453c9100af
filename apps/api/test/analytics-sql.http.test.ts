import type { Db } from "@regulars/db";
import { createLogger } from "@regulars/logger";
import { listen } from "@regulars/runtime";
import { type CreatedTenant, CredentialCache } from "@regulars/tenancy";
import { testAnalytics, testDb, testTenant } from "@regulars/testing";
import { Registry } from "prom-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApiApp } from "../src/app.ts";

/** analytics.sql over HTTP, as the admin app's SQL editor calls it: the API's ClickHouse reaches the procedure. */
let db: Db;
let analytics: Awaited<ReturnType<typeof testAnalytics>>;
let server: Awaited<ReturnType<typeof listen>>;
let mine: CreatedTenant;

beforeAll(async () => {
  db = testDb();
  analytics = await testAnalytics();
  mine = await testTenant(db, "Analyst Grill");
  await analytics.insertEvents([
    {
      tenantId: mine.tenantId,
      eventId: "ev_http_1",
      type: "app_open",
      occurredAt: "2024-05-10T08:00:00Z",
      customerId: "cus_anna",
      locationId: null,
      channel: "app",
      properties: {},
    },
  ]);
  const app = createApiApp({
    db,
    analytics,
    credentials: new CredentialCache(db, 0),
    log: createLogger({ level: "silent" }),
    registry: new Registry(),
    readiness: {},
  });
  server = await listen(app.fetch, "127.0.0.1", 0);
});
afterAll(async () => {
  await server?.close();
  await analytics?.dispose();
  await db?.$disconnect();
});

const runSql = (sql: string | string[], key = mine.apiKeys.analyst) =>
  fetch(`${server.url}/trpc/analytics.sql`, {
    method: "POST",
    headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
    body: JSON.stringify({ sql }),
  });

describe("POST /trpc/analytics.sql", () => {
  it("answers columns and rows for an analyst key", async () => {
    const res = await runSql(["SELECT type, count() AS n", "FROM events GROUP BY type"]);
    expect(res.status).toBe(200);
    const body = (await res.json()) as { result: { data: { columns: unknown; rows: unknown } } };
    expect(body.result.data).toMatchObject({
      columns: [
        { name: "type", type: "LowCardinality(String)" },
        { name: "n", type: "UInt64" },
      ],
      rows: [["app_open", "1"]],
    });
  });

  it("answers a refusal with the shared error body naming the rule", async () => {
    const res = await runSql("SELECT * FROM file('/etc/passwd', 'LineAsString')");
    expect(res.status).toBe(400);
    const body = (await res.json()) as { error: { data: { error: Record<string, unknown> } } };
    expect(body.error.data.error).toMatchObject({
      code: "invalid_request",
      message: expect.stringMatching(/^the query was refused by rule table_function: file\(\)/),
      issues: [{ path: "sql", message: expect.stringMatching(/^table_function: /) }],
      requestId: expect.any(String),
    });
  });
});
