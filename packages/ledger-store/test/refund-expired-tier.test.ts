import { ProgrammeConfig, type TransactionMessage } from "@regulars/contracts";
import { type Db, sqlArray } from "@regulars/db";
import { newId } from "@regulars/ids";
import { silentLogger } from "@regulars/logger";
import { testDb } from "@regulars/testing";
import { afterAll, beforeAll, expect, it } from "vitest";
import { qualifyingItemsStatement, qualifyingStatement } from "../src/accounts/qualifying.ts";
import { applyTransactionBatch, customerBalances, expirePoints, qualifyingValueNow } from "../src/index.ts";
import { base, ledgerDeps, line, refundOf, tenantWithProgramme, txMessage } from "./batch-fixtures.ts";
import { tenantWithCustomers } from "./fixtures.ts";

// A refund spares the points of its sale that had expired (they left the customer once), but those points were not
// earned for good either: a tier on points earned loses them, in the batch and in the stored window total alike.

let db: Db;
beforeAll(() => {
  db = testDb();
});
afterAll(async () => {
  await db?.$disconnect();
});

const DAY = 86_400_000;
const daysAgo = (days: number) => new Date(Date.now() - days * DAY);
const apply = (...messages: TransactionMessage[]) => applyTransactionBatch(ledgerDeps(db), messages);
const ZONE = "Europe/Warsaw";
const tiers = {
  basis: "points_earned",
  window: "lifetime",
  levels: [
    { id: "bronze", name: "Bronze", threshold: 0 },
    { id: "silver", name: "Silver", threshold: 200 },
  ],
} as const;
const config = { rules: [base], expiry: { kind: "after_earning", months: 1, noticeDays: 14 }, tiers };

async function customer(tenantId: string) {
  const id = newId("customer");
  await db.customer.create({ data: { id, tenantId, createdVia: "test" } });
  return id;
}
const sale = (tenantId: string, customerId: string, euros: number, occurredAt: Date) =>
  txMessage(tenantId, {
    customer: { id: customerId },
    occurredAt: occurredAt.toISOString(),
    lines: [line("MEAL", euros * 100)],
  });
const tierOf = async (customerId: string) =>
  (await db.customerLoyalty.findUniqueOrThrow({ where: { customerId } })).tier;

it("a sale refunded in full after its points expired no longer holds its tier, now or at the next sale", async () => {
  const tenantId = await tenantWithProgramme(db, config, "Refund Expired Tier");
  const c = await customer(tenantId);
  const s = sale(tenantId, c, 300, daysAgo(40)); // expiring a month after: ten days ago
  await apply(s);
  expect(await tierOf(c)).toBe("silver");
  const programme = { version: 2, config: ProgrammeConfig.parse(config), timezone: ZONE, localZone: ZONE };
  expect((await expirePoints({ db, log: silentLogger, tenantId, programme, now: new Date() })).acted).toBe(1);

  await apply(refundOf(tenantId, s, [{ ...s.transaction.lines[0]!, lineNo: 0 }]));
  expect(await tierOf(c)).toBe("bronze");
  expect((await customerBalances(db, tenantId, c)).points).toBe(0);
  expect(await qualifyingValueNow(db, tenantId, c, tiers, ZONE, new Date())).toBe(0);

  // The next batch reads the stored total: 10 points earned since are not 310.
  await apply(sale(tenantId, c, 10, daysAgo(0)));
  expect(await tierOf(c)).toBe("bronze");
  expect(await qualifyingValueNow(db, tenantId, c, tiers, ZONE, new Date())).toBe(10);
});

it("subtracts the points a refund spared from the window of its sale, in the total and item by item", async () => {
  const { tenantId, customers } = await tenantWithCustomers(db, 1_000, "Refund Expired Plan");
  // Five sales per customer, the first refunded; one refund of them all spared expired points.
  const rows = customers.flatMap((customerId, c) =>
    [
      ...Array.from({ length: 5 }, (_, i) => ({ id: `sx-tx:${c}:${i}`, externalId: `sx:${c}:${i}`, refundOf: null })),
      { id: `sx-tx:${c}:r`, externalId: `sx:${c}:r`, refundOf: `sx:${c}:0` },
    ].map((r, i) => ({ ...r, customerId, at: daysAgo(10 - i), spared: c === 7 && r.refundOf !== null })),
  );
  await db.$executeRaw`
    INSERT INTO transactions (id, tenant_id, external_id, type, refund_of, occurred_at, location_id, channel, customer_id,
                              currency, total, discount_total, points_awarded, received_at, effects)
    SELECT x.id, ${tenantId}, x.external_id, CASE WHEN x.refund_of IS NULL THEN 'sale' ELSE 'refund' END, x.refund_of,
      x.occurred_at, 'store-1', 'pos', x.customer_id, 'EUR', 1000, 0, 0, now(),
      CASE WHEN x.spared THEN '{"expired": 10}'::jsonb ELSE '{}'::jsonb END
    FROM unnest(${sqlArray(rows.map((r) => r.id))}::text[], ${sqlArray(rows.map((r) => r.externalId))}::text[],
                ${sqlArray(rows.map((r) => r.refundOf))}::text[], ${sqlArray(rows.map((r) => r.customerId))}::text[],
                ${sqlArray(rows.map((r) => r.at))}::timestamptz[], ${sqlArray(rows.map((r) => r.spared))}::boolean[])
      AS x(id, external_id, refund_of, customer_id, occurred_at, spared)`;

  // The plan (one probe of the partial index, the sale by its key) was read with EXPLAIN when it was written; it
  // depends on the table's statistics, so the test pins what the statement answers.
  const statement = qualifyingStatement(tenantId, [customers[42]!, customers[7]!], "points_earned", daysAgo(365));
  const values = await db.$queryRaw<{ customer_id: string; value: bigint }[]>(statement);
  expect(values.map((v) => [v.customer_id, Number(v.value)])).toEqual([[customers[7], -10]]);
  // Item by item (rolling windows nested in a batch's), the same: the spared points at their sale's time.
  const items = await db.$queryRaw<{ customer_id: string; at: Date; value: bigint }[]>(
    qualifyingItemsStatement(
      tenantId,
      [customers[42]!, customers[7]!],
      "points_earned",
      [daysAgo(365), daysAgo(365)],
      [null, null],
    ),
  );
  expect(items.map((i) => [i.customer_id, i.at, Number(i.value)])).toEqual([[customers[7], rows[6 * 7]!.at, -10]]);
});
