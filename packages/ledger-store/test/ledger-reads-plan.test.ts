import { type Db, Prisma, sqlArray, withTransaction } from "@regulars/db";
import type { NewMovement } from "@regulars/ledger";
import { type PlanNode, queryPlan, testDb } from "@regulars/testing";
import { afterAll, beforeAll, expect, it } from "vitest";
import { nextLotExpiriesStatement } from "../src/accounts/expiring.ts";
import { liveLotsStatement, spendableAccountsStatement } from "../src/accounts/lots.ts";
import { earnedSinceStatement, qualifyingStatement } from "../src/accounts/qualifying.ts";
import { mergedLotsStatement } from "../src/accounts/transfer.ts";
import { survivorsStatement } from "../src/customers/resolve.ts";
import { postMovements, transactionMovements } from "../src/index.ts";
import { expiredLotsStatement } from "../src/jobs/expire-points.ts";
import { pruneStatements } from "../src/outbox.ts";
import { earnedLot, tenantWithCustomers } from "./fixtures.ts";

// The batch apply reads its customers' live lots and spendable accounts on every batch. Both reads once scanned
// the whole table (no index led with what they asked by), which cost a third of Postgres's time at 1,000 tx/s and
// grew with every lot earned. With thousands of lots, the plan must reach one customer's rows through an index.
// Its reads of movements by time (the tier window, the daily cap) once read a customer's whole history: they must
// be bounded by the time in the index.

let db: Db;
beforeAll(() => {
  db = testDb();
});
afterAll(async () => {
  await db?.$disconnect();
});

const planOf = (statement: Prisma.Sql, indexOnly: boolean | "fromIndexAlone" = false) =>
  queryPlan(db, statement, indexOnly);

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

it("reads one customer's open lots for expiry, its notices and a merge through the live lots index", async () => {
  const { tenantId, customers } = await tenantWithCustomers(db, 1_000, "Ledger lot plans");
  const now = Date.now();
  const day = 86_400_000;
  const movements: NewMovement[] = customers.flatMap((customerId, c) =>
    Array.from({ length: 5 }, (_, i) =>
      earnedLot({
        tenantId,
        customerId,
        amount: 10 + i,
        key: `lots:${c}:${i}`,
        occurredAt: new Date(now - (400 - i) * day),
        // The first two lots have expired, the rest expire within weeks.
        expiresAt: new Date(now + (i - 2) * 7 * day + day),
      }),
    ),
  );
  await withTransaction(db, (tx) => postMovements(tx, movements));
  // With statistics, as autovacuum keeps them on a live table: unanalysed, a few thousand rows read by expiry date
  // look as cheap as one customer's.
  await db.$executeRawUnsafe("ANALYZE point_lots");

  // A lot's reads by customer ask for open lots (`remaining > 0`): the live lots' index (open, or pending release)
  // answers them, so the lots need no second index by customer that every earned lot would pay for.
  const one = customers[17]!;
  const byLiveIndex = async (statement: Prisma.Sql) => {
    const nodes = await planOf(statement);
    expect(nodes.filter((n) => n["Node Type"] === "Seq Scan")).toEqual([]);
    return nodes.some((n) => n["Index Name"] === "point_lots_customer_live_idx");
  };
  expect(await byLiveIndex(nextLotExpiriesStatement(tenantId, [one], "Europe/Warsaw", new Date(now)))).toBe(true);
  expect(await byLiveIndex(expiredLotsStatement(tenantId, [one], new Date(now)))).toBe(true);
  expect(await byLiveIndex(mergedLotsStatement(tenantId, one))).toBe(true);

  // And the right rows: the two expired lots; the three open ones of the merge; the next expiry's points.
  const expired = await db.$queryRaw<{ remaining: bigint }[]>(expiredLotsStatement(tenantId, [one], new Date(now)));
  expect(expired.map((l) => Number(l.remaining))).toEqual([10, 11]);
  const merged = await withTransaction(db, (tx) =>
    tx.$queryRaw<{ remaining: bigint }[]>(mergedLotsStatement(tenantId, one)),
  );
  expect(merged.map((l) => Number(l.remaining))).toEqual([10, 11, 12, 13, 14]);
  const next = await db.$queryRaw<{ points: bigint }[]>(
    nextLotExpiriesStatement(tenantId, [one], "Europe/Warsaw", new Date(now)),
  );
  expect(next.map((r) => Number(r.points))).toEqual([12]);
});

it("reads a customer's movements in the tier window and today by the time in the index, and a transaction's by its id", async () => {
  const { tenantId, customers } = await tenantWithCustomers(db, 200, "Ledger time plans");
  const now = Date.now();
  const day = 86_400_000;
  const earn = (c: number, key: string, amount: number, at: number) =>
    earnedLot({
      tenantId,
      customerId: customers[c]!,
      amount,
      key: `time:${c}:${key}`,
      transactionId: `time-tx:${c}:${key}`,
      occurredAt: new Date(at),
    });
  // Two years of monthly visits, one today partly refunded, and an adjustment (which earns no tier).
  const movements: NewMovement[] = customers.flatMap((customerId, c) => [
    ...Array.from({ length: 24 }, (_, i) => earn(c, `m${i}`, 10 + i, now - (24 - i) * 30 * day)),
    earn(c, "today", 7, now - 10 * 60_000),
    {
      tenantId,
      customerId,
      kind: "reverse" as const,
      unit: "points" as const,
      amount: -4,
      idempotencyKey: `time:${c}:refund`,
      transactionId: `time-tx:${c}:refund`,
      sourceKey: `time:${c}:today`,
      occurredAt: new Date(now - 5 * 60_000),
    },
    {
      ...earnedLot({
        tenantId,
        customerId,
        amount: 100,
        key: `time:${c}:adjust`,
        occurredAt: new Date(now - 20 * day),
      }),
      kind: "adjust" as const,
      reason: "goodwill",
    },
  ]);
  await withTransaction(db, (tx) => postMovements(tx, movements));
  // A reversal counts in the window of the sale it refunds: the refund and its sale, as the ledger stores them.
  const refunded = customers.flatMap((customerId, c) => [
    { id: `time-tx:${c}:today`, externalId: `time:${c}:today`, type: "sale", refundOf: null, customerId, ago: 600_000 },
    {
      id: `time-tx:${c}:refund`,
      externalId: `time:${c}:r`,
      type: "refund",
      refundOf: `time:${c}:today`,
      customerId,
      ago: 300_000,
    },
  ]);
  await db.$executeRaw`
    INSERT INTO transactions (id, tenant_id, external_id, type, refund_of, occurred_at, location_id, channel, customer_id,
                              currency, total, discount_total, points_awarded, received_at)
    SELECT x.id, ${tenantId}, x.external_id, x.type, x.refund_of, x.occurred_at, 'store-1', 'pos', x.customer_id, 'EUR', 700, 0, 0, now()
    FROM unnest(${sqlArray(refunded.map((r) => r.id))}::text[], ${sqlArray(refunded.map((r) => r.externalId))}::text[],
                ${sqlArray(refunded.map((r) => r.type))}::text[], ${sqlArray(refunded.map((r) => r.refundOf))}::text[],
                ${sqlArray(refunded.map((r) => r.customerId))}::text[], ${sqlArray(refunded.map((r) => new Date(now - r.ago)))}::timestamptz[])
      AS x(id, external_id, type, refund_of, customer_id, occurred_at)`;

  const one = [customers[42]!];
  const yearAgo = new Date(now - 365 * day);
  const hourAgo = new Date(now - 3_600_000);
  const byTime = (nodes: PlanNode[]) =>
    nodes.find((n) => n["Index Name"] === "ledger_movements_customer_time_idx")?.["Index Cond"] ?? "";
  for (const statement of [
    qualifyingStatement(tenantId, one, "points_earned", yearAgo),
    earnedSinceStatement(tenantId, one, hourAgo),
  ]) {
    const plan = await planOf(statement);
    expect(plan.filter((n) => n["Node Type"] === "Seq Scan")).toEqual([]);
    expect(byTime(plan)).toContain("occurred_at");
  }
  const transactionPlan = await planOf(
    // The read `transactionMovements` makes through Prisma.
    Prisma.sql`SELECT * FROM ledger_movements WHERE tenant_id = ${tenantId} AND transaction_id = ${"time-tx:42:m3"} ORDER BY id`,
  );
  expect(transactionPlan.some((n) => n["Index Name"] === "ledger_movements_transaction_idx")).toBe(true);

  // And the right rows: the visits of the last twelve months (22 + ... + 33) and today's 7 less the 4 refunded,
  // not the adjustment; today's earnings and the reversal of today's sale (the cap's room it gives back), not the
  // adjustment; the one movement of a transaction.
  const [qualifying] = await db.$queryRaw<{ value: bigint }[]>(
    qualifyingStatement(tenantId, one, "points_earned", yearAgo),
  );
  expect(Number(qualifying!.value)).toBe(330 + 7 - 4);
  const today = await db.$queryRaw<{ amount: bigint }[]>(earnedSinceStatement(tenantId, one, hourAgo));
  expect(today.map((r) => Number(r.amount))).toEqual([7, -4]);
  expect((await transactionMovements(db, tenantId, "time-tx:42:m3")).map((m) => [m.kind, m.amount])).toEqual([
    ["earn", 13],
  ]);
});

it("prunes the outbox through its indexes, not by reading the whole table every pass", async () => {
  const now = new Date();
  const week = new Date(now.getTime() - 7 * 86_400_000);
  // The test database's outbox is small, where reading it whole is cheaper: asked without sequential scans, the
  // plan shows whether the partial indexes answer each statement (the week-old published rows; the notices whose
  // expiry passed), as they do on a large outbox with statistics.
  const [published, notices] = pruneStatements(week, now, null);
  const indexes = async (statement: typeof published) => {
    const nodes = await planOf(statement!, true);
    expect(nodes.filter((n) => n["Node Type"] === "Seq Scan")).toEqual([]);
    return nodes.flatMap((n) => (n["Index Name"] ? [n["Index Name"]] : []));
  };
  expect(await indexes(published)).toContain("outbox_events_published_idx");
  expect(await indexes(notices)).toContain("outbox_events_notice_expiry_idx");
});

it("reads spend and orders in the tier window from the transactions indexes alone, refunds netted", async () => {
  const { tenantId, customers } = await tenantWithCustomers(db, 50, "Ledger spend plans");
  const now = Date.now();
  const day = 86_400_000;
  // Two years of monthly sales of 10.00 per customer; in the window, one sale refunded in full and one in part.
  const rows = customers.flatMap((customerId, c) => [
    ...Array.from({ length: 24 }, (_, i) => ({
      customerId,
      externalId: `spend:${c}:s${i}`,
      type: "sale",
      refundOf: null as string | null,
      total: 1_000,
      at: now - (24 - i) * 30 * day + day,
    })),
    {
      customerId,
      externalId: `spend:${c}:r1`,
      type: "refund",
      refundOf: `spend:${c}:s22`,
      total: 1_000,
      at: now - day,
    },
    {
      customerId,
      externalId: `spend:${c}:r2`,
      type: "refund",
      refundOf: `spend:${c}:s23`,
      total: 400,
      at: now - 60_000,
    },
    // A till's clock may date a refund before its sale: it still refunds that sale.
    ...(c === 9
      ? [
          {
            customerId,
            externalId: `spend:${c}:r0`,
            type: "refund",
            refundOf: `spend:${c}:s20`,
            total: 1_000,
            at: now - 700 * day,
          },
        ]
      : []),
  ]);
  await db.$executeRaw`
    INSERT INTO transactions (id, tenant_id, external_id, type, refund_of, occurred_at, location_id, channel, customer_id,
                              currency, total, discount_total, points_awarded, received_at)
    SELECT 'txn_' || x.external_id, ${tenantId}, x.external_id, x.type, x.refund_of, x.occurred_at, 'store-1', 'pos',
           x.customer_id, 'EUR', x.total, 0, 0, now()
    FROM unnest(${sqlArray(rows.map((r) => r.externalId))}::text[], ${sqlArray(rows.map((r) => r.type))}::text[],
                ${sqlArray(rows.map((r) => r.refundOf))}::text[], ${sqlArray(rows.map((r) => new Date(r.at)))}::timestamptz[],
                ${sqlArray(rows.map((r) => r.customerId))}::text[], ${sqlArray(rows.map((r) => r.total))}::bigint[])
      AS x(external_id, type, refund_of, occurred_at, customer_id, total)`;
  // An index answers alone for pages the visibility map marks all-visible, which autovacuum keeps up on a live table.
  await db.$executeRawUnsafe("VACUUM transactions");

  const one = [customers[7]!];
  const yearAgo = new Date(now - 365 * day);
  const readAlone = async (statement: Prisma.Sql) =>
    (await planOf(statement, "fromIndexAlone"))
      .filter((n) => n["Relation Name"] === "transactions")
      .map((n) => `${n["Node Type"]} ${n["Index Name"]}`);
  // The customer's transactions from the window's start, from the history index alone; only a refund looks up its
  // sale, through an index.
  const spend = await readAlone(qualifyingStatement(tenantId, one, "spend", yearAgo));
  expect(spend[0]).toBe("Index Only Scan transactions_customer_history_idx");
  expect(spend.slice(1).every((node) => node.startsWith("Index"))).toBe(true);
  // The sales in the window and the customer's refunds in one pass: no probe per paid sale. Only a sale paid without
  // money (total 0) with a refund looks up, by index, whether its refunds named every line.
  const orders = await readAlone(qualifyingStatement(tenantId, one, "orders", yearAgo));
  expect(orders[0]).toBe("Index Only Scan transactions_customer_history_idx");
  expect(orders.slice(1).every((node) => node.startsWith("Index"))).toBe(true);

  // The last twelve months hold twelve sales (s12 to s23) and both refunds.
  const value = async (basis: "spend" | "orders") =>
    Number((await db.$queryRaw<{ value: bigint }[]>(qualifyingStatement(tenantId, one, basis, yearAgo)))[0]!.value);
  expect(await value("spend")).toBe(12 * 1_000 - 1_000 - 400);
  expect(await value("orders")).toBe(11);
  const [early] = await db.$queryRaw<{ value: bigint }[]>(
    qualifyingStatement(tenantId, [customers[9]!], "orders", yearAgo),
  );
  expect(Number(early!.value)).toBe(10);
});

it("follows a batch's customer ids to their merge survivors through the primary keys, not by scanning merges", async () => {
  const { tenantId, customers } = await tenantWithCustomers(db, 1_000, "Ledger survivor plans");
  // Every tenth customer was merged into the next, and a few of those survivors merged again.
  const merges = customers.flatMap((id, i) => (i % 10 === 0 ? [[id, customers[i + 1]!]] : []));
  merges.push([customers[1]!, customers[2]!]);
  await db.$executeRaw`
    INSERT INTO customer_merges (merged_id, tenant_id, into_id)
    SELECT m, ${tenantId}, i FROM unnest(${sqlArray(merges.map(([m]) => m!))}::text[], ${sqlArray(merges.map(([, i]) => i!))}::text[]) AS t(m, i)`;

  // A young, small customers table may be scanned for a 50-id batch (the plan before merges were followed did
  // the same); the merges must be probed by their key either way, and one id must touch no table by scanning.
  const scanned = (nodes: PlanNode[]) =>
    nodes.filter((n) => n["Node Type"] === "Seq Scan").map((n) => n["Relation Name"]);
  const batchPlan = await planOf(survivorsStatement(customers.slice(0, 50)));
  expect(scanned(batchPlan)).not.toContain("customer_merges");
  expect(batchPlan.some((n) => n["Index Name"] === "customer_merges_pkey")).toBe(true);
  expect(scanned(await planOf(survivorsStatement([customers[5]!])))).toEqual([]);

  const rows = await withTransaction(db, (tx) =>
    tx.$queryRaw<{ id: string; survivor_id: string }[]>(survivorsStatement([customers[0]!, customers[3]!])),
  );
  expect(new Map(rows.map((r) => [r.id, r.survivor_id]))).toEqual(
    new Map([
      [customers[0], customers[2]],
      [customers[3], customers[3]],
    ]),
  );
});
