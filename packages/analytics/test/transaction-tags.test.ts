import { cp, mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { itemFigures, toTransactionLineRows, toTransactionRow } from "../src/facts.ts";
import { type Analytics, applyMigrations, createAnalytics, type TransactionFact } from "../src/index.ts";
import { defaultMigrationsFolder } from "../src/migrations.ts";
import { transactionFact } from "./fixtures.ts";

let dataDir: string;
let analytics: Analytics;

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), "regulars-tags-"));
  analytics = await createAnalytics({ kind: "chdb", path: dataDir, database: "tags_test" });
});
afterAll(async () => {
  await analytics?.close();
  await rm(dataDir, { recursive: true, force: true });
});

const line = (quantity: number, tags: string[]) => ({
  lineNo: 0,
  sku: "X",
  name: "X",
  category: null,
  tags,
  quantity,
  unitPrice: 100,
  discount: 0,
  amount: quantity * 100,
});

describe("a transaction's item figures", () => {
  it("count every item, and each item once per tag even when a line names the tag twice", () => {
    expect(itemFigures([line(2, ["vegetarian", "new"]), line(3, ["spicy", "spicy"]), line(1, [])])).toEqual({
      item_count: 6,
      tag_quantities: { vegetarian: 2, new: 2, spicy: 3 },
    });
    expect(itemFigures([])).toEqual({ item_count: 0, tag_quantities: {} });
  });
});

describe("migration 0004_transaction_tags", () => {
  it("gives transactions stored before it their figures from their lines, and FINAL reads only the new copy", async () => {
    const folder = await mkdtemp(join(tmpdir(), "regulars-migrations-"));
    try {
      await cp(defaultMigrationsFolder, folder, { recursive: true });
      // The state before 0004: it and every later step (which may rely on its columns) not applied yet.
      for (const file of await readdir(folder)) if (file >= "0004") await rm(join(folder, file));
      const db = "tags_before";
      await applyMigrations(analytics.client, db, pathToFileURL(`${folder}/`));
      const sale: TransactionFact = {
        ...transactionFact(),
        lines: [line(2, ["vegetarian"]), line(1, ["vegetarian", "hot"])],
      };
      sale.lines[1]!.lineNo = 1;
      const { item_count, tag_quantities, ...before } = toTransactionRow(sale);
      await analytics.client.insert({ table: `${db}.transactions`, values: [before], format: "JSONEachRow" });
      await analytics.client.insert({
        table: `${db}.transaction_lines`,
        values: toTransactionLineRows(sale),
        format: "JSONEachRow",
      });

      await cp(
        join(new URL(defaultMigrationsFolder).pathname, "0004_transaction_tags.sql"),
        join(folder, "0004_transaction_tags.sql"),
      );
      expect(await applyMigrations(analytics.client, db, pathToFileURL(`${folder}/`))).toEqual({
        applied: ["0004_transaction_tags"],
      });
      const result = await analytics.client.query({
        query: `SELECT id, item_count, tag_quantities, total FROM ${db}.transactions FINAL`,
        format: "JSONEachRow",
      });
      expect(await result.json()).toEqual([
        {
          id: sale.transactionId,
          item_count: "3",
          tag_quantities: { vegetarian: "3", hot: "1" },
          total: String(sale.total),
        },
      ]);
    } finally {
      await rm(folder, { recursive: true, force: true });
    }
  });

  it("stores new transactions with their figures", async () => {
    await analytics.migrate();
    const sale: TransactionFact = { ...transactionFact(), lines: [line(4, ["spicy"])] };
    await analytics.insertTransactions([sale]);
    const result = await analytics.client.query({
      query:
        "SELECT item_count, tag_quantities['spicy'] AS spicy, tag_quantities['none'] AS none FROM tags_test.transactions FINAL",
      format: "JSONEachRow",
    });
    expect(await result.json()).toEqual([{ item_count: "4", spicy: "4", none: "0" }]);
  });
});

describe("tags named like an object's own keys", () => {
  it("are counted as any other tag, and stored", async () => {
    const tags = ["constructor", "__proto__", "toString", "vegetarian"];
    const figures = itemFigures([line(2, tags)]);
    expect(Object.entries(figures.tag_quantities)).toEqual(tags.map((t) => [t, 2]));
    await analytics.migrate();
    const sale: TransactionFact = { ...transactionFact(), lines: [line(2, tags)] };
    await analytics.insertTransactions([sale]);
    const result = await analytics.client.query({
      query: `SELECT tag_quantities FROM tags_test.transactions FINAL WHERE id = {id:String}`,
      query_params: { id: sale.transactionId },
      format: "JSONEachRow",
    });
    const [row] = await result.json<{ tag_quantities: Record<string, string> }>();
    expect(Object.entries(row!.tag_quantities).sort()).toEqual(tags.map((t) => [t, "2"]).sort());
  });
});
