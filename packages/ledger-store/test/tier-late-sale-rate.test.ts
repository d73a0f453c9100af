import { ProgrammeConfig, type TransactionMessage } from "@regulars/contracts";
import type { Db } from "@regulars/db";
import { testDb } from "@regulars/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { applyTransactionBatch, customerStanding } from "../src/index.ts";
import { base, ledgerDeps, line, tenantWithProgramme, txMessage } from "./batch-fixtures.ts";

// A sale earns at the tier the customer held when it happened, not at the one held when it arrives: an offline sale
// dated before the sale that made the customer gold earns bronze's rate, whether it comes in a later batch or after
// the upgrading sale in the same one. The tier itself is still judged from the tier held now.

let db: Db;
beforeAll(() => {
  db = testDb();
});
afterAll(async () => {
  await db?.$disconnect();
});

const hourMs = 3_600_000;
// Lifetime tiers on points earned, 1 point per 1.00 paid: gold from 500 doubles what a sale earns.
const config = ProgrammeConfig.parse({
  rules: [base],
  tiers: {
    basis: "points_earned",
    window: "lifetime",
    levels: [
      { id: "bronze", name: "Bronze", threshold: 0 },
      { id: "gold", name: "Gold", threshold: 500, benefits: { earnMultiplier: 2 } },
    ],
  },
});

const saleAt = (tenantId: string, phone: string, euros: number, hoursAgo: number): TransactionMessage => {
  const occurredAt = new Date(Date.now() - hoursAgo * hourMs);
  return txMessage(tenantId, {
    customer: { phone },
    lines: [line("MENU", euros * 100)],
    occurredAt: occurredAt.toISOString(),
  });
};
const earned = async (m: TransactionMessage) =>
  Number((await db.ledgerMovement.findFirstOrThrow({ where: { idempotencyKey: `tx:${m.transactionId}` } })).amount);
const standingOf = async (tenantId: string, phone: string) => {
  const { id } = await db.customer.findFirstOrThrow({ where: { tenantId, phone } });
  return customerStanding(db, id);
};

describe("a late sale earns at the tier held when it happened", () => {
  it("a €10 sale of three days ago, arriving after a €600 sale made the customer gold an hour ago, earns 10", async () => {
    const tenantId = await tenantWithProgramme(db, config, "Late Sale Rate Grill");
    const phone = "+48731000001";
    const upgrading = saleAt(tenantId, phone, 600, 1);
    await applyTransactionBatch(ledgerDeps(db), [upgrading]);
    expect(await earned(upgrading)).toBe(600);
    expect((await standingOf(tenantId, phone))?.tier).toBe("gold");

    const offline = saleAt(tenantId, phone, 10, 72);
    await applyTransactionBatch(ledgerDeps(db), [offline]);
    expect(await earned(offline)).toBe(10); // bronze that day, not gold's 20
    expect(await standingOf(tenantId, phone)).toMatchObject({
      tier: "gold",
      tierSince: new Date(upgrading.transaction.occurredAt),
    });
    // A sale made now earns gold's rate.
    const now = saleAt(tenantId, phone, 10, 0);
    await applyTransactionBatch(ledgerDeps(db), [now]);
    expect(await earned(now)).toBe(20);
  });

  it("in one batch, [€600 upgrading sale of an hour ago, €10 sale of two hours ago] posts 610", async () => {
    const tenantId = await tenantWithProgramme(db, config, "Late Sale Rate Batch");
    const phone = "+48731000002";
    const upgrading = saleAt(tenantId, phone, 600, 1);
    const earlier = saleAt(tenantId, phone, 10, 2);
    await applyTransactionBatch(ledgerDeps(db), [upgrading, earlier]);
    expect((await earned(upgrading)) + (await earned(earlier))).toBe(610);
    expect(await earned(earlier)).toBe(10);
    expect((await standingOf(tenantId, phone))?.tier).toBe("gold");
  });
});
