import type { Db } from "@regulars/db";
import { silentLogger } from "@regulars/logger";
import { ProgrammeCache } from "@regulars/programme";
import { testDb } from "@regulars/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { applyTransactionBatch, customerBalances, expirePoints, findBalanceDrift } from "../src/index.ts";
import { base, ledgerDeps, line, refundOf, tenantWithProgramme, txMessage } from "./batch-fixtures.ts";

// Points a sale earned that an inactivity expiry took are gone already: a refund of the sale does not take them again.

let db: Db;
beforeAll(() => {
  db = testDb();
});
afterAll(async () => {
  await db?.$disconnect();
});

const DAY = 86_400_000;
const inactivity = { rules: [base], expiry: { kind: "inactivity", months: 1, noticeDays: 0 } };

/** A sale 60 days ago that earned 20 points, all expired for inactivity now. */
async function saleExpiredForInactivity(phone: string) {
  const tenantId = await tenantWithProgramme(db, inactivity);
  const apply = (...m: Parameters<typeof applyTransactionBatch>[1]) => applyTransactionBatch(ledgerDeps(db), m);
  const sale = txMessage(
    tenantId,
    { customer: { phone }, lines: [line("MEAL", 2_000)] },
    new Date(Date.now() - 60 * DAY),
  );
  await apply(sale);
  const customerId = (await db.customer.findFirstOrThrow({ where: { tenantId, phone } })).id;
  const programme = (await new ProgrammeCache(db, 0).inForce(tenantId, new Date()))!;
  const expire = () => expirePoints({ db, log: silentLogger, tenantId, programme, now: new Date() });
  expect((await expire()).acted).toBe(1);
  const points = async () => (await customerBalances(db, tenantId, customerId)).points;
  expect(await points()).toBe(0);
  const refund = refundOf(tenantId, sale, [line("MEAL", 2_000)]);
  return { tenantId, customerId, apply, expire, points, refund, phone };
}

describe("a refund of a sale whose points expired for inactivity", () => {
  it("takes back none of the expired points, and a rerun of the expiry changes nothing", async () => {
    const { tenantId, apply, expire, points, refund } = await saleExpiredForInactivity("+48719990101");
    expect((await expire()).acted).toBe(0);
    await apply(refund);
    const stored = await db.transaction.findFirstOrThrow({
      where: { tenantId, externalId: refund.transaction.externalId },
    });
    expect(stored.effects).toMatchObject({ expired: 20 });
    expect(await points()).toBe(0);
    expect(await findBalanceDrift(db, tenantId)).toEqual([]);
  });

  it("takes them back once a late purchase has given the expiry back", async () => {
    const { apply, points, refund, phone, tenantId } = await saleExpiredForInactivity("+48719990102");
    // Made 10 days ago, after the clock the expiry ran from: the period never ran out, the 20 points come back.
    await apply(
      txMessage(tenantId, { customer: { phone }, lines: [line("MEAL", 1_000)] }, new Date(Date.now() - 10 * DAY)),
    );
    expect(await points()).toBe(30);
    await apply(refund);
    expect(await points()).toBe(10);
  });

  it("takes back, as before, points an expiry posted without a record of its lots took", async () => {
    const { customerId, apply, points, refund } = await saleExpiredForInactivity("+48719990103");
    await db.$executeRaw`UPDATE point_lots SET inactivity_expired = NULL, inactivity_expiry_key = NULL WHERE customer_id = ${customerId}`;
    await apply(refund);
    expect(await points()).toBe(-20);
  });
});
