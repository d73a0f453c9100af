import { randomBytes } from "node:crypto";
import { appendFile, cp, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type Analytics,
  applyMigrations,
  assertIdentifier,
  createAnalytics,
  MigrationChecksumError,
} from "../src/index.ts";
import { defaultMigrationsFolder } from "../src/migrations.ts";
import { toClickHouseDateTime } from "../src/time.ts";
import { eventFact, tenant, transactionFact, uniqueId } from "./fixtures.ts";

// One chdb data folder for the whole file: the engine binds a single folder per process.
let dataDir: string;
let analytics: Analytics;
const database = `analytics_test_${process.pid}_${randomBytes(4).toString("hex")}`;

async function selectRows<T>(query: string, params: Record<string, string> = {}): Promise<T[]> {
  const result = await analytics.client.query({ query, query_params: params, format: "JSONEachRow" });
  return result.json<T>();
}

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), "regulars-analytics-"));
  analytics = await createAnalytics({ kind: "chdb", path: dataDir, database });
});

afterAll(async () => {
  await analytics?.close();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

describe("database names", () => {
  it("accepts plain identifiers and refuses anything that could change the SQL", () => {
    expect(assertIdentifier("regulars_dev")).toBe("regulars_dev");
    expect(assertIdentifier(`_${"a".repeat(62)}`)).toHaveLength(63);
    for (const bad of ["", "1st", "a-b", "a.b", "a b", "x; DROP DATABASE y", "`x`", "a".repeat(64)]) {
      expect(() => assertIdentifier(bad), bad).toThrow(/Invalid database name/);
    }
  });

  it("refuses to create an Analytics for an invalid database name", async () => {
    await expect(createAnalytics({ kind: "chdb", path: dataDir, database: "x; DROP DATABASE system" })).rejects.toThrow(
      /Invalid database name/,
    );
  });
});

describe("timestamps", () => {
  it("converts an offset to the UTC instant and refuses a time without an offset", () => {
    expect(toClickHouseDateTime("2024-03-01T00:30:00.250+01:00")).toBe("2024-02-29 23:30:00.250");
    expect(() => toClickHouseDateTime("2024-03-01T00:30:00")).toThrow(/with an offset/);
    expect(() => toClickHouseDateTime("yesterday")).toThrow(/Invalid timestamp/);
  });
});

describe("migrate", () => {
  it("creates the database and tables once, and is a no-op the second time", async () => {
    expect(await analytics.ping()).toBe(true);
    expect(await analytics.migrate()).toEqual({
      applied: [
        "0001_init",
        "0002_loyalty_events",
        "0003_customers",
        "0004_transaction_tags",
        "0005_customer_sale_totals",
        "0006_campaign_events",
        "0007_transaction_coupon_uses",
        "0008_voided_transactions",
        "0009_tier_applied_order",
      ],
    });
    expect(await analytics.migrate()).toEqual({ applied: [] });

    const tables = await selectRows<{ name: string }>(
      "SELECT name FROM system.tables WHERE database = {db:String} ORDER BY name",
      { db: database },
    );
    expect(tables.map((t) => t.name)).toEqual([
      "campaign_enrolments",
      "customers",
      "events",
      "loyalty_events",
      "message_events",
      "schema_migrations",
      "transaction_lines",
      "transactions",
      "voided_transactions",
    ]);
    const ledger = await selectRows<{ version: number; name: string }>(
      `SELECT version, name FROM ${database}.schema_migrations ORDER BY version`,
    );
    expect(ledger).toEqual([
      { version: 1, name: "0001_init" },
      { version: 2, name: "0002_loyalty_events" },
      { version: 3, name: "0003_customers" },
      { version: 4, name: "0004_transaction_tags" },
      { version: 5, name: "0005_customer_sale_totals" },
      { version: 6, name: "0006_campaign_events" },
      { version: 7, name: "0007_transaction_coupon_uses" },
      { version: 8, name: "0008_voided_transactions" },
      { version: 9, name: "0009_tier_applied_order" },
    ]);
  });
});

describe("transactions", () => {
  it("stores a transaction with its lines and the UTC instant of an offset time", async () => {
    const fact = transactionFact({ occurredAt: "2024-03-01T00:30:00.250+01:00" });
    await analytics.insertTransactions([fact]);

    expect(await analytics.getTransaction(tenant, fact.transactionId)).toEqual({
      transactionId: fact.transactionId,
      customerId: "cus_anna",
      occurredAt: "2024-02-29T23:30:00.250Z",
      total: 1150,
      points: 11,
      lineCount: 2,
      lines: [
        { sku: "FLAT-WHITE", quantity: 2, amount: 800, tags: ["hot", "milk"] },
        { sku: "CROISSANT", quantity: 1, amount: 350, tags: [] },
      ],
    });
    // Checked in the engine too, not only through our own formatting: the instant, and the month it
    // is filed under (local March, UTC February).
    const stored = await selectRows<{ ms: string; partition: string }>(
      `SELECT toUnixTimestamp64Milli(occurred_at) AS ms, _partition_id AS partition
         FROM ${database}.transaction_lines WHERE transaction_id = {id:String}`,
      { id: fact.transactionId },
    );
    expect(stored).toEqual([
      { ms: String(Date.parse("2024-02-29T23:30:00.250Z")), partition: "202402" },
      { ms: String(Date.parse("2024-02-29T23:30:00.250Z")), partition: "202402" },
    ]);
  });

  it("keeps tenants apart and reports anonymous customers as null", async () => {
    const fact = transactionFact({ tenantId: "tn_other", customerId: null });
    await analytics.insertTransactions([fact]);
    expect(await analytics.getTransaction(tenant, fact.transactionId)).toBeNull();
    expect((await analytics.getTransaction("tn_other", fact.transactionId))?.customerId).toBeNull();
  });

  it("counts a redelivered transaction once", async () => {
    const customerId = uniqueId("cus");
    const fact = transactionFact({ customerId });
    const other = transactionFact({ customerId });
    await analytics.insertTransactions([fact, other]);
    await analytics.insertTransactions([fact]); // the consumer redelivers a batch

    // The duplicate really is stored twice (separate insert, not merged yet)...
    const raw = await selectRows<{ n: string }>(
      `SELECT count() AS n FROM ${database}.transactions WHERE customer_id = {c:String}`,
      {
        c: customerId,
      },
    );
    expect(raw).toEqual([{ n: "3" }]);
    // ...and still counts once, with its lines once.
    expect(await analytics.countTransactions(tenant, { customerId })).toBe(2);
    expect((await analytics.getTransaction(tenant, fact.transactionId))?.lines).toHaveLength(2);
    expect(await analytics.countTransactions("tn_nobody")).toBe(0);
  });
});

describe("events", () => {
  it("stores events and counts them by tenant, type and customer, once each", async () => {
    const open = eventFact({ properties: { source: "push", campaign: "spring's best" } });
    await analytics.insertEvents([
      open,
      eventFact({ type: "email_clicked", customerId: "cus_carla", channel: null }),
      eventFact({ type: "app_open", customerId: "cus_carla" }),
      eventFact({ type: "page_view", customerId: null, locationId: "loc_main" }),
      eventFact({ tenantId: "tn_other" }),
      eventFact({ type: "push_opened", customerId: "o'brien\\x" }), // quotes and backslashes must survive parameter binding
    ]);
    await analytics.insertEvents([open]); // redelivered

    expect(await analytics.countEvents(tenant)).toBe(5);
    expect(await analytics.countEvents(tenant, { customerId: "o'brien\\x" })).toBe(1);
    expect(await analytics.countEvents(tenant, { type: "app_open" })).toBe(2);
    expect(await analytics.countEvents(tenant, { customerId: "cus_carla" })).toBe(2);
    expect(await analytics.countEvents(tenant, { customerId: "cus_carla", type: "app_open" })).toBe(1);
    expect(await analytics.countEvents(tenant, { customerId: "" })).toBe(1); // anonymous
    expect(await analytics.countEvents("tn_other")).toBe(1);

    const [stored] = await selectRows<{ campaign: string; at: string }>(
      `SELECT JSONExtractString(properties, 'campaign') AS campaign, toString(occurred_at) AS at
         FROM ${database}.events FINAL WHERE id = {id:String}`,
      { id: open.eventId },
    );
    expect(stored).toEqual({ campaign: "spring's best", at: "2024-05-10 06:15:00.000" });
  });
});

describe("migration checksums", () => {
  it("applies new migrations in order and reports an applied migration whose file changed", async () => {
    const folder = await mkdtemp(join(tmpdir(), "regulars-migrations-"));
    try {
      await cp(defaultMigrationsFolder, folder, { recursive: true });
      const folderUrl = pathToFileURL(`${folder}/`);
      const db = `${database}_ledger`;
      expect(await applyMigrations(analytics.client, db, folderUrl)).toEqual({
        applied: [
          "0001_init",
          "0002_loyalty_events",
          "0003_customers",
          "0004_transaction_tags",
          "0005_customer_sale_totals",
          "0006_campaign_events",
          "0007_transaction_coupon_uses",
          "0008_voided_transactions",
          "0009_tier_applied_order",
        ],
      });

      await writeFile(
        join(folder, "0098_customer_days.sql"),
        "-- why: a test step with two statements;\nCREATE TABLE IF NOT EXISTS {db}.a (x String) ENGINE = MergeTree ORDER BY x;\n" +
          "CREATE TABLE IF NOT EXISTS {db}.b (x String) ENGINE = MergeTree ORDER BY x;\n",
      );
      expect(await applyMigrations(analytics.client, db, folderUrl)).toEqual({ applied: ["0098_customer_days"] });

      await appendFile(join(folder, "0001_init.sql"), "\n-- an innocent-looking edit\n");
      await writeFile(
        join(folder, "0099_never.sql"),
        "CREATE TABLE IF NOT EXISTS {db}.never (x String) ENGINE = MergeTree ORDER BY x;\n",
      );
      const failure = applyMigrations(analytics.client, db, folderUrl);
      await expect(failure).rejects.toBeInstanceOf(MigrationChecksumError);
      await expect(failure).rejects.toThrow(/Migration 0001_init was changed after it was applied/);

      const tables = await selectRows<{ name: string }>(
        "SELECT name FROM system.tables WHERE database = {db:String} ORDER BY name",
        {
          db,
        },
      );
      expect(tables.map((t) => t.name)).toEqual([
        "a",
        "b",
        "campaign_enrolments",
        "customers",
        "events",
        "loyalty_events",
        "message_events",
        "schema_migrations",
        "transaction_lines",
        "transactions",
        "voided_transactions",
      ]);
      await analytics.client.command({ query: `DROP DATABASE ${db} SYNC` });
    } finally {
      await rm(folder, { recursive: true, force: true });
    }
  });
});
