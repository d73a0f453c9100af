import { type Db, withTransaction } from "@regulars/db";
import type { NewMovement } from "@regulars/ledger";
import { testDb } from "@regulars/testing";
import { afterAll, beforeAll, expect, it } from "vitest";
import { liveLotsStatement, spendableAccountsStatement } from "../src/accounts/lots.ts";
import { postMovements } from "../src/index.ts";
import { tenantWithCustomers } from "./fixtures.ts";

// The batch apply reads its customers' live lots and spendable accounts on every batch. Both reads once scanned
// the whole table (no index led with what they asked by), which cost a third of Postgres's time at 1,000 tx/s and
// grew with every lot earned. With thousands of lots, the plan must reach one customer's rows through an index.

let db: Db;
beforeAll(() => {
  db = testDb();
});
afterAll(async () => {
  await db?.$disconnect();
});

interface PlanNode {
  "Node Type": string;
  "Relation Name"?: string;
  "Index Name"?: string;
  Plans?: PlanNode[];
}

const nodesOf = (node: PlanNode): PlanNode[] => [node, ...(node.Plans ?? []).flatMap(nodesOf)];

async function planOf(statement: ReturnType<typeof liveLotsStatement>): Promise<PlanNode[]> {
  return withTransaction(db, async (tx) => {
    const [row] = await tx.$queryRawUnsafe<{ "QUERY PLAN": [{ Plan: PlanNode }] }[]>(
      `EXPLAIN (FORMAT JSON) ${statement.text}`,
      ...statement.values,
    );
    return nodesOf(row!["QUERY PLAN"][0].Plan);
  });
}

it("reads one customer's live lots and spendable account through indexes, not by scanning every row", async () => {
  const { tenantId, customers } = await tenantWithCustomers(db, 1_000, "Ledger plans");
  const now = Date.now();
  const movements: NewMovement[] = customers.flatMap((customerId, c) =>
    Array.from({ length: 5 }, (_, i) => ({
      tenantId,
      customerId,
      kind: "earn" as const,
      unit: "points" as const,
      amount: 10 + i,
      idempotencyKey: `plan:${c}:${i}`,
      occurredAt: new Date(now - (5 - i) * 60_000),
      // Every other lot waits a day to be released: the read must find those too.
      lot: { availableAt: new Date(now - (5 - i) * 60_000 + (i % 2) * 86_400_000), expiresAt: null },
    })),
  );
  await withTransaction(db, (tx) => postMovements(tx, movements));
  // No ANALYZE: the plans must hold on a young table whose statistics autovacuum has not gathered yet.

  const one = [customers[17]!];
  const lots = await planOf(liveLotsStatement(one));
  const scanned = (nodes: PlanNode[]) =>
    nodes.filter((n) => n["Node Type"] === "Seq Scan").map((n) => n["Relation Name"]);
  expect(scanned(lots)).toEqual([]);
  expect(lots.some((n) => n["Index Name"] === "point_lots_customer_live_idx")).toBe(true);
  expect(scanned(await planOf(spendableAccountsStatement(new Map([[one[0]!, tenantId]]))))).toEqual([]);

  // And they read the right rows: the customer's five lots, released or not, oldest first, and the one account.
  const rows = await withTransaction(db, (tx) =>
    tx.$queryRaw<{ customer_id: string; points: number; released: boolean }[]>(liveLotsStatement(one)),
  );
  expect(rows.map((r) => [r.customer_id, Number(r.points), r.released])).toEqual(
    [10, 11, 12, 13, 14].map((points, i) => [one[0], points, i % 2 === 0]),
  );
  const accounts = await withTransaction(db, (tx) =>
    tx.$queryRaw<{ owner: string; balance: bigint }[]>(spendableAccountsStatement(new Map([[one[0]!, tenantId]]))),
  );
  expect(accounts.map((a) => [a.owner, Number(a.balance)])).toEqual([[one[0], 10 + 12 + 14]]);
});
