import { silentLogger } from "@regulars/logger";
import { ProgrammeCache } from "@regulars/programme";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  applyTransactionBatch,
  customerBalances,
  expirePoints,
  inactivityClocksOf,
  sendExpiryNotices,
} from "../src/index.ts";
import { base, ledgerDeps, line, tenantWithProgramme, twoWorkerPools, txMessage } from "./batch-fixtures.ts";

// SPEC scenario 10: a purchase in between resets the inactivity clock, though a till offline for weeks uploads it
// after the expiry it should have prevented was posted. Dates are relative to now.

let pools: Awaited<ReturnType<typeof twoWorkerPools>>;
beforeAll(async () => {
  pools = await twoWorkerPools();
});
afterAll(() => pools?.close());

const DAY = 86_400_000;
const inactivity = { rules: [base], expiry: { kind: "inactivity", months: 12, noticeDays: 14 } };

/** 100 points earned 390 days ago, announced, then expired the day after the announced date. */
async function expiredForInactivity(name: string, phone: string) {
  const { db } = pools;
  const now = Date.now();
  const tenant = await tenantWithProgramme(db, inactivity, name);
  await applyTransactionBatch(ledgerDeps(db), [
    txMessage(tenant, { customer: { phone }, lines: [line("MEAL", 10_000)] }, new Date(now - 390 * DAY)),
  ]);
  const customerId = (await db.customer.findFirstOrThrow({ where: { tenantId: tenant, phone } })).id;
  const programme = (await new ProgrammeCache(db, 0).inForce(tenant, new Date(now)))!;
  const ctx = (t: number) => ({ db, log: silentLogger, tenantId: tenant, programme, now: new Date(t) });
  const notice = await sendExpiryNotices(ctx(now - 39 * DAY));
  const expiresAt = Date.parse((notice.outbox[0]!.payload as { expiresAt: string }).expiresAt);
  expect((await expirePoints(ctx(expiresAt + DAY))).acted).toBe(1);
  const expiry = await db.ledgerMovement.findFirstOrThrow({ where: { tenantId: tenant, customerId, kind: "expire" } });
  const points = async () => (await customerBalances(db, tenant, customerId)).points;
  expect(await points()).toBe(0);
  const sale = (at: number) =>
    applyTransactionBatch(ledgerDeps(db), [
      txMessage(tenant, { customer: { phone }, occurredAt: new Date(at).toISOString(), lines: [line("MEAL", 1_000)] }),
    ]);
  return { tenant, customerId, expiresAt, expiry, points, sale };
}

describe("a late upload of a purchase made before an inactivity expiry", () => {
  it("gives the expired points back once, as undated points, and the clock runs from the purchase", async () => {
    const { db } = pools;
    const { tenant, customerId, expiresAt, expiry, points, sale } = await expiredForInactivity(
      "Late Till",
      "+48720009921",
    );
    const saleAt = expiresAt - 2 * DAY;
    const first = txMessage(tenant, {
      customer: { phone: "+48720009921" },
      occurredAt: new Date(saleAt).toISOString(),
      lines: [line("MEAL", 1_000)],
    });
    await applyTransactionBatch(ledgerDeps(db), [first]);
    expect(await points()).toBe(110);

    const undo = await db.ledgerMovement.findMany({
      where: { tenantId: tenant, customerId, kind: "expire", amount: { gt: 0 } },
    });
    expect(undo.map((m) => [m.idempotencyKey, Number(m.amount)])).toEqual([[`unexpire:${expiry.idempotencyKey}`, 100]]);
    expect(undo[0]!.reason).toContain(new Date(saleAt).toISOString().slice(0, 10));
    const lot = await db.pointLot.findUniqueOrThrow({ where: { movementId: undo[0]!.id } });
    expect({ remaining: Number(lot.remaining), expiresAt: lot.expiresAt, released: lot.released }).toEqual({
      remaining: 100,
      expiresAt: null,
      released: true,
    });

    // Redelivered, and a second late purchase from the same till: the expiry is given back only once.
    await applyTransactionBatch(ledgerDeps(db), [first]);
    await sale(saleAt + DAY);
    expect(await points()).toBe(120);
    expect(
      await db.ledgerMovement.count({ where: { tenantId: tenant, customerId, kind: "expire", amount: { gt: 0 } } }),
    ).toBe(1);

    // The undone expiry is no activity: the next period runs from the later purchase, not from the expiry.
    const [clock] = await inactivityClocksOf(db, tenant, [customerId]);
    expect(clock!.clock_at.getTime()).toBe(saleAt + DAY);
  });

  it("undoes nothing for a purchase made before the clock the expiry counted from", async () => {
    const { db } = pools;
    const { tenant, customerId, points, sale } = await expiredForInactivity("Older Till", "+48720009922");
    await sale(Date.now() - 391 * DAY);
    expect(await points()).toBe(10);
    expect(
      await db.ledgerMovement.count({ where: { tenantId: tenant, customerId, kind: "expire", amount: { gt: 0 } } }),
    ).toBe(0);
  });
});
