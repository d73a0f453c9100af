import { cp, mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { toTransactionRow } from "../src/facts.ts";
import {
  type Analytics,
  applyMigrations,
  type CustomerSnapshotRow,
  createAnalytics,
  insertCustomerSnapshots,
} from "../src/index.ts";
import { defaultMigrationsFolder } from "../src/migrations.ts";
import { tenant, transactionFact, uniqueId } from "./fixtures.ts";

let dataDir: string;
let analytics: Analytics;

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), "regulars-sale-totals-"));
  analytics = await createAnalytics({ kind: "chdb", path: dataDir, database: "sale_totals_test" });
});
afterAll(async () => {
  await analytics?.close();
  await rm(dataDir, { recursive: true, force: true });
});

const line = (lineNo: number, quantity: number, tags: string[]) => ({
  lineNo,
  sku: "X",
  name: "X",
  category: null,
  tags,
  quantity,
  unitPrice: 100,
  discount: 0,
  amount: quantity * 100,
});

/** A snapshot row as written before migration 0005: no sale totals. */
function snapshotBefore(customerId: string, version: number) {
  return {
    tenant_id: tenant,
    customer_id: customerId,
    tier: "gold",
    consents: [],
    has_email: false,
    has_phone: true,
    has_date_of_birth: false,
    birth_month: 0,
    birth_day: 0,
    registered_at: null,
    created_at: "2024-01-01 00:00:00.000",
    version: String(version),
  };
}

describe("migration 0005_customer_sale_totals", () => {
  it("gives customers stored before it their sale totals from the transactions; a later snapshot replaces them", async () => {
    const folder = await mkdtemp(join(tmpdir(), "regulars-migrations-"));
    const migration = "0005_customer_sale_totals.sql";
    try {
      await cp(defaultMigrationsFolder, folder, { recursive: true });
      for (const file of await readdir(folder)) if (file >= "0005") await rm(join(folder, file));
      const db = "sale_totals_before";
      await applyMigrations(analytics.client, db, pathToFileURL(`${folder}/`));
      const [buyer, browser] = [uniqueId("cus"), uniqueId("cus")];
      await analytics.client.insert({
        table: `${db}.customers`,
        values: [snapshotBefore(buyer, 1_000), snapshotBefore(browser, 1_000)],
        format: "JSONEachRow",
      });
      const sale = transactionFact({ customerId: buyer, lines: [line(1, 2, ["vegetarian"]), line(2, 1, ["meat"])] });
      const target = { client: analytics.client, database: db };
      const refund = transactionFact({ customerId: buyer, type: "refund", lines: [line(1, 2, ["vegetarian"])] });
      await analytics.client.insert({
        table: `${db}.transactions`,
        // The sale twice (a redelivery, which FINAL counts once); a refund, which no total counts.
        values: [sale, sale, refund].map(toTransactionRow),
        format: "JSONEachRow",
      });

      await cp(join(new URL(defaultMigrationsFolder).pathname, migration), join(folder, migration));
      expect(await applyMigrations(analytics.client, db, pathToFileURL(`${folder}/`))).toEqual({
        applied: ["0005_customer_sale_totals"],
      });
      const read = async () => {
        const result = await analytics.client.query({
          query: `SELECT customer_id, tier, item_count, tag_quantities, version FROM ${db}.customers FINAL ORDER BY item_count`,
          format: "JSONEachRow",
        });
        return result.json<Record<string, unknown>>();
      };
      expect(await read()).toEqual([
        { customer_id: browser, tier: "gold", item_count: "0", tag_quantities: {}, version: "1000" },
        {
          customer_id: buyer,
          tier: "gold",
          item_count: "3",
          tag_quantities: { vegetarian: "2", meat: "1" },
          version: "1001",
        },
      ]);

      const later: CustomerSnapshotRow = { ...snapshotBefore(buyer, 2_000), item_count: 5, tag_quantities: {} };
      await insertCustomerSnapshots(target, [later]);
      expect((await read()).map((r) => [r.customer_id, r.item_count])).toEqual([
        [browser, "0"],
        [buyer, "5"],
      ]);
    } finally {
      await rm(folder, { recursive: true, force: true });
    }
  });
});
