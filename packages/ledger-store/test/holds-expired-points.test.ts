import { type Db, withTransaction } from "@regulars/db";
import { newId } from "@regulars/ids";
import { testDb } from "@regulars/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  customerBalances,
  expirePoints,
  findBalanceDrift,
  type HoldDeps,
  placeHold,
  postMovements,
  quoteCheckout,
} from "../src/index.ts";
import { refundOf } from "./batch-fixtures.ts";
import {
  apply,
  checkoutProgramme,
  checkoutTenant,
  givePoints,
  holdRequest,
  saleWithHold,
} from "./checkout-fixtures.ts";

/**
 * Points past their expiry date stay in the balance while a hold of their customer reserves points: the expiry pass
 * leaves such a customer to a later pass (`expirePoints`). A new hold must not spend them meanwhile, or holds placed
 * one after another would keep expired points spendable for ever: what a hold or a quote counts as available is the
 * balance less the larger of what holds reserve and what is due to expire, lot by lot or, under an inactivity
 * policy, the whole balance once its expiry date came.
 */
let db: Db;
beforeAll(() => {
  db = testDb();
});
afterAll(async () => {
  await db?.$disconnect();
});

const MINUTE = 60_000;
const at = (deps: HoldDeps, ms: number): HoldDeps => ({ ...deps, now: () => new Date(ms) });
const refusal = (e: unknown) => (e as { code?: string }).code;

/** The expiry pass at `now`, under the tenant's programme with lots expiring 12 months after earning. */
async function expiryPass(deps: HoldDeps, tenantId: string, now: Date) {
  const programme = (await deps.programmes.inForce(tenantId, now))!;
  const afterEarning = {
    ...programme,
    config: { ...programme.config, expiry: { kind: "after_earning" as const, months: 12, noticeDays: 14 } },
  };
  return expirePoints({ db, log: console as never, tenantId, programme: afterEarning, now });
}

describe("a hold while points past their date wait for the expiry pass", () => {
  it("cannot take them, where a hold placed before their date keeps the expiry pass away", async () => {
    const { tenantId, customers, deps } = await checkoutTenant(db);
    const customerId = customers[0]!;
    const start = Date.now();
    await givePoints(db, tenantId, customerId, 300, new Date(start + MINUTE));
    // Placed before the date, for a day: the expiry pass leaves the customer alone while it holds.
    await placeHold(at(deps, start), tenantId, holdRequest(customerId, { points: 50, ttlSeconds: 86_400 }));

    const later = start + 2 * MINUTE;
    expect((await expiryPass(deps, tenantId, new Date(later))).acted).toBe(0);
    expect((await customerBalances(db, tenantId, customerId)).points).toBe(300);

    // 300 − max(50 held, 300 due): nothing to spend.
    const quote = await quoteCheckout(at(deps, later), tenantId, { ...holdRequest(customerId), points: 200 });
    expect(quote.points).toMatchObject({ balance: 300, held: 50, spendable: 0 });
    await expect(
      placeHold(at(deps, later), tenantId, holdRequest(customerId, { points: 200 })).catch(refusal),
    ).resolves.toBe("hold_refused");
  });

  /**
   * Lot A of 200 points whose date came 5 minutes ago, B of 100 that never expire, and a sale of a hold for 200
   * placed 10 minutes ago, before A's date: the expiry pass kept away from A while it held.
   */
  async function holdPlacedBeforeTheDate() {
    const { tenantId, customers, deps } = await checkoutTenant(db);
    const customerId = customers[0]!;
    const now = Date.now();
    const dueAt = new Date(now - 5 * MINUTE);
    await givePoints(db, tenantId, customerId, 200, dueAt);
    await givePoints(db, tenantId, customerId, 100);
    const placed = await placeHold(at(deps, now - 10 * MINUTE), tenantId, holdRequest(customerId, { points: 200 }));
    const sale = saleWithHold(tenantId, customerId, placed.holdId, placed.quote.lines);
    expect(Date.parse(sale.transaction.occurredAt)).toBeGreaterThan(dueAt.getTime());
    const redeemedLots = async () => {
      const [hold] = await db.$queryRaw<{ redeemed_lots: unknown }[]>`
        SELECT redeemed_lots FROM checkout_holds WHERE id = ${placed.holdId}`;
      return hold!.redeemed_lots;
    };
    return { tenantId, customerId, deps, sale, dueAt, redeemedLots };
  }

  it("spends the due points a hold placed before their date reserved, though its sale comes after the date", async () => {
    const { tenantId, customerId, deps, sale, dueAt, redeemedLots } = await holdPlacedBeforeTheDate();
    await apply(db, [sale]);
    // 300 − 200 spent + 6 earned on the €6 paid.
    expect((await customerBalances(db, tenantId, customerId)).points).toBe(106);
    await expiryPass(deps, tenantId, new Date());
    // A was spent whole: the pass finds nothing of it left, and B stays.
    expect((await customerBalances(db, tenantId, customerId)).points).toBe(106);
    expect(await findBalanceDrift(db, tenantId)).toEqual([]);
    expect(await redeemedLots()).toEqual([expect.objectContaining({ points: 200, expiresAt: dueAt.toISOString() })]);
  });

  it("gives those points back with A's dates to a refund in the sale's batch, as the sale recorded them", async () => {
    const { tenantId, sale, dueAt, redeemedLots } = await holdPlacedBeforeTheDate();
    const refund = refundOf(
      tenantId,
      sale,
      sale.transaction.lines.map((l, lineNo) => ({ ...l, lineNo })),
    );
    await apply(db, [sale, refund]);
    const returned = await db.$queryRaw<{ points: bigint; expires_at: Date | null }[]>`
      SELECT l.points, l.expires_at FROM point_lots l JOIN ledger_movements m ON m.id = l.movement_id
      WHERE m.tenant_id = ${tenantId} AND m.idempotency_key LIKE 'unredeem:%'`;
    expect(returned).toEqual([{ points: 200n, expires_at: dueAt }]);
    expect(await redeemedLots()).toEqual([expect.objectContaining({ points: 200, expiresAt: dueAt.toISOString() })]);
    expect(await findBalanceDrift(db, tenantId)).toEqual([]);
  });

  it("can take the points not due, past what holds reserve of the due ones", async () => {
    const { tenantId, customers, deps } = await checkoutTenant(db);
    const customerId = customers[0]!;
    const start = Date.now();
    await givePoints(db, tenantId, customerId, 300, new Date(start + MINUTE));
    await givePoints(db, tenantId, customerId, 100);
    await placeHold(at(deps, start), tenantId, holdRequest(customerId, { points: 50, ttlSeconds: 86_400 }));

    const later = at(deps, start + 2 * MINUTE);
    // 400 − max(50, 300): 100 points.
    const quote = await quoteCheckout(later, tenantId, { ...holdRequest(customerId), points: 0 });
    expect(quote.points).toMatchObject({ balance: 400, held: 50, spendable: 100 });
    await expect(placeHold(later, tenantId, holdRequest(customerId, { points: 110 })).catch(refusal)).resolves.toBe(
      "hold_refused",
    );
    const placed = await placeHold(later, tenantId, holdRequest(customerId, { points: 100 }));
    expect(placed.quote.points).toMatchObject({ applied: 100 });
  });

  it("spends the points not due, so the expiry pass still takes those past their date", async () => {
    const { tenantId, customers, deps } = await checkoutTenant(db);
    const customerId = customers[0]!;
    // 100 points whose date came before the sale, and 100 that never expire; the expiry pass has not run yet.
    await givePoints(db, tenantId, customerId, 100, new Date(Date.now() - 5 * MINUTE));
    await givePoints(db, tenantId, customerId, 100);
    const quote = await quoteCheckout(deps, tenantId, { ...holdRequest(customerId), points: 0 });
    expect(quote.points).toMatchObject({ balance: 200, spendable: 100 });

    const placed = await placeHold(deps, tenantId, holdRequest(customerId, { points: 100 }));
    const sale = saleWithHold(tenantId, customerId, placed.holdId, placed.quote.lines);
    expect(Date.parse(sale.transaction.occurredAt)).toBeGreaterThan(Date.now() - 5 * MINUTE);
    await apply(db, [sale]);
    await expiryPass(deps, tenantId, new Date());
    // The 100 points past their date expired, the 100 good ones were spent, 11 earned on the €11 paid.
    expect((await customerBalances(db, tenantId, customerId)).points).toBe(11);
    expect(await findBalanceDrift(db, tenantId)).toEqual([]);
    // A refund gives the spent points back with the dates of the lot they came from: the one that never expires.
    const [hold] = await db.$queryRaw<{ redeemed_lots: unknown }[]>`
      SELECT redeemed_lots FROM checkout_holds WHERE id = ${placed.holdId}`;
    expect(hold!.redeemed_lots).toEqual([expect.objectContaining({ points: 100, expiresAt: null })]);
  });
});

describe("a hold under an inactivity policy", () => {
  /** A customer whose only points were credited 13 months ago, under `months` of inactivity with `noticeDays`. */
  async function inactiveFor13Months(noticeDays: number) {
    const expiry = { kind: "inactivity", months: 12, noticeDays };
    const { tenantId, customers, deps } = await checkoutTenant(db, 1, { ...checkoutProgramme, expiry });
    const customerId = customers[0]!;
    const longAgo = new Date(Date.now() - 396 * 86_400_000);
    await withTransaction(db, (tx) =>
      postMovements(tx, [
        {
          tenantId,
          customerId,
          kind: "bonus",
          unit: "points",
          amount: 300,
          idempotencyKey: `gift:${newId("event")}`,
          occurredAt: longAgo,
          lot: { availableAt: longAgo, expiresAt: null },
        },
      ]),
    );
    return { tenantId, customerId, deps };
  }

  it("cannot take the balance once its expiry date passed", async () => {
    const { tenantId, customerId, deps } = await inactiveFor13Months(0);
    const quote = await quoteCheckout(deps, tenantId, { ...holdRequest(customerId), points: 0 });
    expect(quote.points).toMatchObject({ balance: 300, spendable: 0 });
    await expect(placeHold(deps, tenantId, holdRequest(customerId, { points: 100 })).catch(refusal)).resolves.toBe(
      "hold_refused",
    );
  });

  it("can take it while the expiry waits for the customer's notice, as the expiry pass does", async () => {
    const { tenantId, customerId, deps } = await inactiveFor13Months(14);
    const quote = await quoteCheckout(deps, tenantId, { ...holdRequest(customerId), points: 0 });
    expect(quote.points).toMatchObject({ balance: 300, spendable: 300 });
    expect((await placeHold(deps, tenantId, holdRequest(customerId, { points: 100 }))).quote.points).toMatchObject({
      applied: 100,
    });
  });
});
