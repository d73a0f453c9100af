import { cp, mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { toTransactionRow } from "../src/facts.ts";
import { type Analytics, applyMigrations, createAnalytics, insertVoidedTransactions } from "../src/index.ts";
import { defaultMigrationsFolder } from "../src/migrations.ts";
import { transactionFact, uniqueId } from "./fixtures.ts";

let dataDir: string;
let analytics: Analytics;

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), "regulars-voided-"));
  analytics = await createAnalytics({ kind: "chdb", path: dataDir, database: "voided_test" });
});
afterAll(async () => {
  await analytics?.close();
  await rm(dataDir, { recursive: true, force: true });
});

describe("migration 0008_voided_transactions", () => {
  it("records the sales stored before it that refunds gave all their money back for, with those refunds", async () => {
    const folder = await mkdtemp(join(tmpdir(), "regulars-migrations-"));
    const migration = "0008_voided_transactions.sql";
    try {
      await cp(defaultMigrationsFolder, folder, { recursive: true });
      for (const file of await readdir(folder)) if (file >= "0008") await rm(join(folder, file));
      const db = "voided_before";
      await applyMigrations(analytics.client, db, pathToFileURL(`${folder}/`));
      const sale = (total: number) => transactionFact({ externalId: uniqueId("pos"), total });
      const refundOf = (of: ReturnType<typeof sale>, total: number) =>
        transactionFact({ type: "refund", refundOf: of.externalId, total });
      const [voided, partial, keptAsIs] = [sale(1_000), sale(1_000), sale(900)];
      const [half, otherHalf, someOf] = [refundOf(voided, 600), refundOf(voided, 400), refundOf(partial, 300)];
      await analytics.client.insert({
        table: `${db}.transactions`,
        // The voided sale twice (a redelivery, which FINAL counts once).
        values: [voided, voided, partial, keptAsIs, half, otherHalf, someOf].map(toTransactionRow),
        format: "JSONEachRow",
      });

      await cp(join(new URL(defaultMigrationsFolder).pathname, migration), join(folder, migration));
      expect(await applyMigrations(analytics.client, db, pathToFileURL(`${folder}/`))).toEqual({
        applied: ["0008_voided_transactions"],
      });
      const read = async () => {
        const result = await analytics.client.query({
          query: `SELECT transaction_id FROM ${db}.voided_transactions FINAL ORDER BY transaction_id`,
          format: "JSONEachRow",
        });
        return (await result.json<{ transaction_id: string }>()).map((r) => r.transaction_id);
      };
      const expected = [voided, half, otherHalf].map((t) => t.transactionId).sort();
      expect(await read()).toEqual(expected);

      // Written again by the profile writer (a redelivery): still one row per transaction.
      await insertVoidedTransactions({ client: analytics.client, database: db }, [
        { tenantId: voided.tenantId, transactionId: voided.transactionId },
      ]);
      expect(await read()).toEqual(expected);
    } finally {
      await rm(folder, { recursive: true, force: true });
    }
  });
});
