import { type Db, withTransaction } from "@regulars/db";
import { queryPlan, testDb } from "@regulars/testing";
import { afterAll, beforeAll, expect, it } from "vitest";
import { inactivityExpiriesAfterStatement } from "../src/accounts/undo-inactivity-expiry.ts";
import { postMovements } from "../src/index.ts";
import { earnedLot, tenantWithCustomers } from "./fixtures.ts";

// Every batch with a customer's sale asks whether it undoes an inactivity expiry: the hot path, so the question must
// stay a probe of each sale's customer from the sale on, never a scan of the tenant's movements.

let db: Db;
beforeAll(() => {
  db = testDb();
});
afterAll(async () => {
  await db?.$disconnect();
});

const daysAgo = (days: number) => new Date(Date.now() - days * 86_400_000);

it("reads each sale's customer's movements after the sale through the customer/time index", async () => {
  const { tenantId, customers } = await tenantWithCustomers(db, 1_000, "Unexpire Plan");
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
  const sales = customers.slice(0, 3).map((customerId) => ({ tenantId, customerId, occurredAt: daysAgo(2) }));
  const nodes = await queryPlan(db, inactivityExpiriesAfterStatement(sales));
  // The sales' customers' movements (alias m); the undo look-up beside it is a key probe the planner may batch.
  const reads = nodes.filter((n) => n["Relation Name"] === "ledger_movements" && n.Alias === "m");
  expect(reads.length).toBeGreaterThan(0);
  for (const n of reads) expect(n["Node Type"]).toMatch(/Index( Only)? Scan/);
  const byCustomer = reads.find((n) => n["Index Name"] === "ledger_movements_customer_time_idx");
  expect(byCustomer?.["Index Cond"]).toMatch(/occurred_at > /);
});
