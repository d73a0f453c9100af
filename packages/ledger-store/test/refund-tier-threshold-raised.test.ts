import { ProgrammeConfig } from "@regulars/contracts";
import { expect, it } from "vitest";
import { applyTransactionBatch, customerBalances, findBalanceDrift, outboxEventsOf } from "../src/index.ts";
import { batchDb, ledgerDeps, line, refundOf, tenantWithProgramme, txMessage } from "./batch-fixtures.ts";

// SPEC: "downgrade happens at the end of the qualification period". An admin raising a tier's threshold acts through
// the period-end downgrade job; a refund takes back only the upgrades the refunded value no longer backs, each judged
// against the threshold it was reached under, not the one in force at the refund.

const db = batchDb();
const HOUR = 3_600_000;
const hoursAgo = (n: number) => new Date(Date.now() - n * HOUR).toISOString();
// MEAL and SIDE earn 1 point per 1.00; a BAG earns nothing.
const earning = [
  { id: "base", type: "base_rate", pointsPerUnit: 1, unitMinor: 100, match: { skus: ["MEAL", "SIDE"] } },
];
const tiersWithGoldAt = (gold: number) => ({
  basis: "points_earned",
  window: "lifetime",
  levels: [
    { id: "bronze", name: "Bronze", threshold: 0 },
    { id: "silver", name: "Silver", threshold: 200 },
    { id: "gold", name: "Gold", threshold: gold, benefits: { rewardPoints: 100 } },
  ],
});

it("a refund after gold's threshold was raised keeps the gold the remaining value earned under the old one", async () => {
  const tenantId = await tenantWithProgramme(db, { rules: earning, tiers: tiersWithGoldAt(500) }, "Raised Gold");
  const apply = (...m: Parameters<typeof applyTransactionBatch>[1]) => applyTransactionBatch(ledgerDeps(db), m);
  const customer = { phone: "+48710046001" };
  const first = txMessage(tenantId, {
    customer,
    lines: [line("MEAL", 28_000), line("SIDE", 2_000)],
    occurredAt: hoursAgo(72),
  });
  const upgrading = txMessage(tenantId, {
    customer,
    lines: [line("MEAL", 25_000), line("BAG", 500)],
    occurredAt: hoursAgo(48),
  });
  await apply(first); // 300: silver
  await apply(upgrading); // 550: gold, and its reward of 100
  const { id } = await db.customer.findFirstOrThrow({ where: { tenantId, phone: customer.phone } });
  expect((await db.customerLoyalty.findUniqueOrThrow({ where: { customerId: id } })).tier).toBe("gold");
  await db.programmeVersion.create({
    data: {
      tenantId,
      version: 3,
      effectiveFrom: new Date(Date.now() - 24 * HOUR),
      config: ProgrammeConfig.parse({ rules: earning, tiers: tiersWithGoldAt(600) }),
      createdBy: "test",
    },
  });
  const standing = async () => ({
    tier: (await db.customerLoyalty.findUniqueOrThrow({ where: { customerId: id } })).tier,
    points: (await customerBalances(db, tenantId, id)).points,
    rewardsTakenBack: await db.ledgerMovement.count({
      where: { tenantId, customerId: id, kind: "bonus", amount: { lt: 0 } },
    }),
    downs: (await outboxEventsOf(db, tenantId, "tier.changed")).filter(
      (e) => (e.payload as { direction?: string }).direction === "down",
    ).length,
  });

  // The bag earned nothing: 550 left, still over the 500 gold was reached at (though under the 600 now in force).
  await apply(refundOf(tenantId, upgrading, [{ ...line("BAG", 500), lineNo: 1 }], { occurredAt: hoursAgo(3) }));
  expect(await standing()).toEqual({ tier: "gold", points: 650, rewardsTakenBack: 0, downs: 0 });

  // 20 points of the first sale: 530 left, still over 500.
  await apply(refundOf(tenantId, first, [{ ...line("SIDE", 2_000), lineNo: 1 }], { occurredAt: hoursAgo(2) }));
  expect(await standing()).toEqual({ tier: "gold", points: 630, rewardsTakenBack: 0, downs: 0 });

  // The meal of the first sale: 250 left, under the 500 gold was reached at. Gold and its reward go back.
  await apply(refundOf(tenantId, first, [{ ...line("MEAL", 28_000), lineNo: 0 }], { occurredAt: hoursAgo(1) }));
  expect(await standing()).toEqual({ tier: "silver", points: 250, rewardsTakenBack: 1, downs: 1 });
  expect(await findBalanceDrift(db, tenantId)).toEqual([]);
});

it("a refund after gold's threshold was lowered keeps the gold the remaining value earns under the new one", async () => {
  const tenantId = await tenantWithProgramme(db, { rules: earning, tiers: tiersWithGoldAt(500) }, "Lowered Gold");
  const apply = (...m: Parameters<typeof applyTransactionBatch>[1]) => applyTransactionBatch(ledgerDeps(db), m);
  const customer = { phone: "+48710046002" };
  const first = txMessage(tenantId, {
    customer,
    lines: [line("MEAL", 20_000), line("SIDE", 10_000)],
    occurredAt: hoursAgo(72),
  });
  await apply(first); // 300: silver
  await apply(txMessage(tenantId, { customer, lines: [line("MEAL", 25_000)], occurredAt: hoursAgo(48) })); // 550: gold
  const { id } = await db.customer.findFirstOrThrow({ where: { tenantId, phone: customer.phone } });
  await db.programmeVersion.create({
    data: {
      tenantId,
      version: 3,
      effectiveFrom: new Date(Date.now() - 24 * HOUR),
      config: ProgrammeConfig.parse({ rules: earning, tiers: tiersWithGoldAt(400) }),
      createdBy: "test",
    },
  });

  // The side of the first sale: 450 left, under the 500 gold was reached at but over the 400 now in force.
  await apply(refundOf(tenantId, first, [{ ...line("SIDE", 10_000), lineNo: 1 }], { occurredAt: hoursAgo(2) }));
  // A 1-point sale then changes nothing: gold was never taken back, so it is not reached (and paid) again.
  await apply(txMessage(tenantId, { customer, lines: [line("MEAL", 100)], occurredAt: hoursAgo(1) }));
  const bonuses = await db.ledgerMovement.findMany({
    where: { tenantId, customerId: id, kind: "bonus" },
    orderBy: [{ occurredAt: "asc" }, { createdAt: "asc" }],
  });
  expect(bonuses.map((b) => Number(b.amount))).toEqual([100]);
  expect((await db.customerLoyalty.findUniqueOrThrow({ where: { customerId: id } })).tier).toBe("gold");
  expect((await customerBalances(db, tenantId, id)).points).toBe(551);
  expect(await findBalanceDrift(db, tenantId)).toEqual([]);
});
