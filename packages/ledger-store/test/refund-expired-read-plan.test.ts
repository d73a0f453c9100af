import { type Db, Prisma, withTransaction } from "@regulars/db";
import { queryPlan, testDb } from "@regulars/testing";
import { afterAll, beforeAll, expect, it } from "vitest";
import { postMovements } from "../src/index.ts";
import { expiredPointsColumn } from "../src/transactions/sale-records.ts";
import { earnedLot, tenantWithCustomers } from "./fixtures.ts";

// Every refund's sale is read with what expired of its lot: the read must stay a few look-ups by unique keys.

let db: Db;
beforeAll(() => {
  db = testDb();
});
afterAll(async () => {
  await db?.$disconnect();
});

const daysAgo = (days: number) => new Date(Date.now() - days * 86_400_000);

it("reads what expired of a refunded sale's lot by the keys' unique index, not by a range of the tenant's movements", async () => {
  const { tenantId, customers } = await tenantWithCustomers(db, 1_000, "Refund Expiry Plan");
  await withTransaction(db, (tx) =>
    postMovements(
      tx,
      customers.flatMap((customerId, c) =>
        Array.from({ length: 5 }, (_, i) =>
          earnedLot({ tenantId, customerId, amount: 10, key: `tx:txn_${c}_${i}`, occurredAt: daysAgo(5 - i) }),
        ),
      ),
    ),
  );
  // No ANALYZE: the plan must hold on a young table whose statistics autovacuum has not gathered yet.
  const nodes = await queryPlan(
    db,
    Prisma.sql`SELECT ${expiredPointsColumn} FROM (VALUES (${tenantId}, 'txn_17_3', 10::int8)) AS t(tenant_id, id, points_awarded)`,
  );
  const reads = nodes.filter((n) => n["Relation Name"] === "ledger_movements" || n["Relation Name"] === "point_lots");
  expect(reads.length).toBeGreaterThan(0);
  for (const n of reads) {
    // Whether an inactivity expiry was given back needs the key alone: read from the index only.
    expect(n["Node Type"]).toMatch(/^Index (Only )?Scan$/);
    const unique = n["Relation Name"] === "ledger_movements" ? /idempotency_key = / : /movement_id = /;
    expect(n["Index Cond"]).toMatch(unique);
  }
});
