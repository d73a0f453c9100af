import { testAnalytics, testDb, testTenant } from "@regulars/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type SeedProgress, seedDemo, utcOffsetMinutes } from "../src/index.ts";

const db = testDb();
let analytics: Awaited<ReturnType<typeof testAnalytics>>;

beforeAll(async () => {
  analytics = await testAnalytics();
});
afterAll(async () => {
  await analytics?.dispose();
  await db.$disconnect();
});

const count = async (sql: string, tenantId: string, params: Record<string, unknown> = {}) => {
  const result = await analytics.client.query({
    query: sql.replaceAll("{db}", analytics.database),
    query_params: { tenant: tenantId, ...params },
    format: "JSONEachRow",
  });
  return Number(((await result.json()) as { n: string }[])[0]!.n);
};

describe("seedDemo", () => {
  it("writes customers to Postgres and their history to ClickHouse, reporting progress as it goes", async () => {
    const { tenantId } = await testTenant(db);
    const now = new Date();
    const seen: SeedProgress[] = [];
    const done = await seedDemo({
      db,
      analytics,
      tenantId,
      customers: 300,
      days: 90,
      now,
      batchSize: 100,
      onProgress: (p) => seen.push(p),
    });
    expect(seen.map((p) => p.customers)).toEqual([100, 200, 300]);
    expect(done).toEqual(seen.at(-1));

    expect(await db.customer.count({ where: { tenantId } })).toBe(300);
    const phones = await db.customerIdentity.count({ where: { tenantId, kind: "phone" } });
    expect(phones).toBe(300);
    const consents = await db.$queryRaw<{ n: bigint }[]>`
      SELECT count(*) AS n FROM customer_consents WHERE tenant_id = ${tenantId}`;
    expect(Number(consents[0]!.n)).toBeGreaterThan(0);

    const base = "FROM {db}.transactions FINAL WHERE tenant_id = {tenant:String}";
    expect(await count(`SELECT count() AS n ${base}`, tenantId)).toBe(done.transactions);
    expect(
      await count(`SELECT count() AS n FROM {db}.transaction_lines FINAL WHERE tenant_id = {tenant:String}`, tenantId),
    ).toBe(done.lines);
    expect(await count(`SELECT count() AS n FROM {db}.events FINAL WHERE tenant_id = {tenant:String}`, tenantId)).toBe(
      done.events,
    );
    expect(done.transactions).toBeGreaterThan(100);
    // Every customer has its attribute snapshot for segments; every fact its profile row in Postgres.
    expect(
      await count("SELECT count() AS n FROM {db}.customers FINAL WHERE tenant_id = {tenant:String}", tenantId),
    ).toBe(300);
    const profileRows = await db.$queryRaw<{ n: bigint }[]>`
      SELECT count(*) AS n FROM profile_orders WHERE tenant_id = ${tenantId}`;
    expect(Number(profileRows[0]!.n)).toBe(done.transactions);
    // Every fact belongs to a seeded customer and lies inside the history's window.
    const ids = new Set((await db.customer.findMany({ where: { tenantId }, select: { id: true } })).map((c) => c.id));
    const rows = (await (
      await analytics.client.query({
        query: `SELECT DISTINCT customer_id ${base.replace("{db}", analytics.database)}`,
        query_params: { tenant: tenantId },
        format: "JSONEachRow",
      })
    ).json()) as { customer_id: string }[];
    expect(rows.every((r) => ids.has(r.customer_id))).toBe(true);
    const chTime = (d: Date) => d.toISOString().replace("T", " ").slice(0, 23);
    const outside = await count(
      `SELECT count() AS n ${base} AND (occurred_at > {now:DateTime64(3)} OR occurred_at < {from:DateTime64(3)})`,
      tenantId,
      { now: chTime(now), from: chTime(new Date(now.getTime() - 91 * 86_400_000)) },
    );
    expect(outside).toBe(0);
    // Each customer's sale totals (segments' tag affinity) are those of their sales in ClickHouse.
    const mismatched = await count(
      `WITH m -> arraySort(arrayZip(arrayMap(k -> toString(k), mapKeys(m)), mapValues(m))) AS pairs
       SELECT count() AS n FROM {db}.customers AS c FINAL
       LEFT JOIN (
         SELECT customer_id, sum(item_count) AS items, sumMap(tag_quantities) AS tagged
         FROM {db}.transactions FINAL WHERE tenant_id = {tenant:String} AND type = 'sale' GROUP BY customer_id
       ) AS s ON s.customer_id = c.customer_id
       WHERE c.tenant_id = {tenant:String} AND (c.item_count != s.items OR pairs(c.tag_quantities) != pairs(s.tagged))`,
      tenantId,
    );
    expect(mismatched).toBe(0);
    expect(
      await count(
        "SELECT countIf(item_count > 0) AS n FROM {db}.customers FINAL WHERE tenant_id = {tenant:String}",
        tenantId,
      ),
    ).toBeGreaterThan(100);
  });

  it("a second run for the same tenant adds new customers after the first ones", async () => {
    const { tenantId } = await testTenant(db);
    await seedDemo({ db, analytics, tenantId, customers: 50, days: 30 });
    await seedDemo({ db, analytics, tenantId, customers: 50, days: 30 });
    expect(await db.customer.count({ where: { tenantId } })).toBe(100);
    expect(await db.customerIdentity.count({ where: { tenantId, kind: "phone" } })).toBe(100);
  });

  it("knows a tenant's offset from UTC, summer or winter", () => {
    const winter = new Date(Date.UTC(2024, 0, 15, 12));
    const summer = new Date(Date.UTC(2024, 6, 15, 12));
    expect(utcOffsetMinutes("Europe/Warsaw", winter)).toBe(60);
    expect(utcOffsetMinutes("Europe/Warsaw", summer)).toBe(120);
    expect(utcOffsetMinutes("America/New_York", winter)).toBe(-300);
    expect(utcOffsetMinutes("UTC", summer)).toBe(0);
  });
});
