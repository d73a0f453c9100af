import { AnalystSqlRefused, defaultAnalystSqlLimits, runAnalystSql, validateAnalystSql } from "@regulars/analytics";
import { testAnalytics, testDb, testTenant } from "@regulars/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkSegmentSql, createSegment, materialiseSegment, previewSegment } from "../src/index.ts";
import { addCustomer } from "./fixtures.ts";

// An analyst's segment SQL costs ClickHouse no more than their other queries: a preview is counted there under
// the analyst's limits, and a refresh may return more rows, never take more time or memory.

const db = testDb();
let analytics: Awaited<ReturnType<typeof testAnalytics>>;
const timezone = "Europe/Warsaw";
const now = new Date(Date.now() - 3_600_000);
let tenantId: string;
let known: string[];

beforeAll(async () => {
  analytics = await testAnalytics();
  ({ tenantId } = await testTenant(db, "Limits", timezone));
  const tenant = { tenantId, timezone };
  known = [await addCustomer(db, analytics, tenant, now), await addCustomer(db, analytics, tenant, now)].sort();
});
afterAll(async () => {
  await analytics?.dispose();
  await db.$disconnect();
});

const sql = (text: string) => ({ kind: "sql" as const, sql: text });
const literal = (ids: string[]) => `SELECT arrayJoin([${ids.map((id) => `'${id}'`).join(", ")}]) AS customer_id`;
/** 200,000 ids that name nobody: the customer ids (`cus_0…`) sort before all of them. */
const many = "SELECT concat('cus_nobody_', toString(arrayJoin(range(200000)))) AS customer_id";
/** One value, but a string of 550 MB: ClickHouse's buffer for it is 1 GiB, past an analyst's memory limit. */
const heavy = "SELECT toString(length(repeat(repeat('0123456789', 1000), materialize(55000)))) AS customer_id";

const stoppedBy = (rule: string) => (e: unknown) => e instanceof AnalystSqlRefused && e.rule === rule;

describe("raw SQL previews", () => {
  it("checks a query's ids against the tenant's customers when there are few enough", async () => {
    const preview = await previewSegment({ db, analytics }, tenantId, sql(literal([...known, "cus_nobody"])), now);
    expect(preview).toMatchObject({ members: 2, exact: true });
    expect(preview.sample.map((m) => m.customerId)).toEqual(known);
  });

  it("counts a query returning 200,000 ids in ClickHouse, under the analyst's result limit", async () => {
    const preview = await previewSegment({ db, analytics }, tenantId, sql(`${literal(known)} UNION ALL ${many}`), now);
    // Too many to check them all: the count is of what the query returned; the sample still only customers.
    expect(preview).toMatchObject({ members: 200_002, exact: false });
    expect(preview.sample.map((m) => m.customerId)).toEqual(known);
  }, 60_000);

  it("stops a query that needs more memory than an analyst's", async () => {
    await expect(previewSegment({ db, analytics }, tenantId, sql(heavy), now)).rejects.toSatisfy(
      stoppedBy("memory_limit"),
    );
  }, 120_000);
});

describe("raw SQL refreshes", () => {
  it("stops a query that needs more memory than an analyst's, though a refresh takes more rows", async () => {
    const segment = await createSegment(db, tenantId, { name: "Heavy", source: sql(heavy) }, "test");
    await expect(materialiseSegment({ db, analytics }, tenantId, segment.id, now)).rejects.toSatisfy(
      stoppedBy("memory_limit"),
    );
    const wide = await createSegment(
      db,
      tenantId,
      { name: "Many", source: sql(`${literal(known)} UNION ALL ${many}`) },
      "test",
    );
    expect(await materialiseSegment({ db, analytics }, tenantId, wide.id, now)).toMatchObject({
      members: 2,
      entered: 2,
    });
  }, 120_000);
});

describe("raw SQL length", () => {
  // Just under the analyst's 20,000 characters as written; ClickHouse's canonical text of it is longer.
  const terms = Array.from({ length: 1200 }, (_, i) => `sku = 'S${i}'`).join(" or ");
  const long = `select customer_id from transaction_lines where ${terms}`;

  it("a query the analyst's console runs is not too long to save or preview, though its canonical text is", async () => {
    const { maxSqlLength } = defaultAnalystSqlLimits;
    expect(long.length).toBeLessThan(maxSqlLength);
    const { formatted } = await validateAnalystSql(analytics.client, long, defaultAnalystSqlLimits);
    expect(formatted.length).toBeGreaterThan(maxSqlLength);
    await runAnalystSql(analytics, tenantId, long);

    expect(await checkSegmentSql(analytics, tenantId, long)).toBe(formatted);
    expect(await previewSegment({ db, analytics }, tenantId, sql(long), now)).toMatchObject({ members: 0 });
  }, 60_000);

  it("one character past the analyst's limit is still too long", async () => {
    const tooLong = `${long} ${" ".repeat(defaultAnalystSqlLimits.maxSqlLength - long.length)}`;
    await expect(checkSegmentSql(analytics, tenantId, tooLong)).rejects.toSatisfy(stoppedBy("too_long"));
  });
});
