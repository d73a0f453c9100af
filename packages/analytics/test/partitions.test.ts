import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Analytics, createAnalytics, splitByPartition } from "../src/index.ts";
import { eventFact, transactionFact } from "./fixtures.ts";

// ClickHouse refuses an INSERT touching more than max_partitions_per_insert_block (100) partitions, and
// every fact table is partitioned by month: a backfill of years of history must still be written.

let dataDir: string;
let analytics: Analytics;

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), "regulars-partitions-"));
  analytics = await createAnalytics({
    kind: "chdb",
    path: dataDir,
    database: `partitions_${randomBytes(4).toString("hex")}`,
  });
  await analytics.migrate();
});
afterAll(async () => {
  await analytics?.close();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

/** Noon on the first of `months` consecutive months from January `fromYear`: 130 months span 11 years. */
const monthly = (months: number, fromYear = 2015) =>
  Array.from({ length: months }, (_, i) => new Date(Date.UTC(fromYear, i, 1, 12)).toISOString());

describe("splitByPartition", () => {
  it("groups rows by month, at most maxPartitions months per insert, losing and repeating none", () => {
    const rows = [...monthly(7), ...monthly(7)].map((at, i) => ({
      occurred_at: at.replace("T", " ").replace("Z", ""),
      i,
    }));
    const inserts = splitByPartition(rows, 3);
    expect(inserts.map((group) => new Set(group.map((r) => r.occurred_at.slice(0, 7))).size)).toEqual([3, 3, 1]);
    expect(
      inserts
        .flat()
        .map((r) => r.i)
        .sort((a, b) => a - b),
    ).toEqual(rows.map((r) => r.i));
    expect(splitByPartition([], 3)).toEqual([]);
    expect(() => splitByPartition(rows, 0)).toThrow(/at least 1/);
  });
});

describe("a batch spanning more than 100 months", () => {
  it("is written whole: transactions, their lines and events", async () => {
    const tenantId = `tn_backfill_${randomBytes(3).toString("hex")}`;
    const months = monthly(130);
    const transactions = months.map((occurredAt) => transactionFact({ tenantId, occurredAt }));
    const events = months.map((occurredAt) => eventFact({ tenantId, occurredAt }));
    // What a single INSERT of these rows meets: the refusal this test is about.
    await expect(
      analytics.client.insert({
        table: `${analytics.database}.events`,
        values: events.map((e) => ({
          tenant_id: e.tenantId,
          id: e.eventId,
          type: e.type,
          occurred_at: e.occurredAt.replace("T", " ").replace("Z", ""),
          customer_id: "",
          location_id: "",
          channel: "",
          properties: "{}",
        })),
        format: "JSONEachRow",
      }),
    ).rejects.toThrow(/Too many partitions/);

    await analytics.insertTransactions(transactions);
    await analytics.insertEvents(events);

    expect(await analytics.countTransactions(tenantId)).toBe(130);
    expect(await analytics.countEvents(tenantId)).toBe(130);
    const [lines] = await (
      await analytics.client.query({
        query: `SELECT count() AS n FROM ${analytics.database}.transaction_lines FINAL WHERE tenant_id = {t:String}`,
        query_params: { t: tenantId },
        format: "JSONEachRow",
      })
    ).json<{ n: string }>();
    expect(Number(lines!.n)).toBe(130 * 2);
  });
});
