import type { CustomerRef, TransactionMessage } from "@regulars/contracts";
import { type Db, withTransaction } from "@regulars/db";
import { newId } from "@regulars/ids";
import { createLogger } from "@regulars/logger";
import { testDb } from "@regulars/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CLAIM_GRACE_MS } from "../src/holds/release.ts";
import {
  claimHeldHolds,
  customerBalances,
  findBalanceDrift,
  type HoldDeps,
  placeHold,
  postMovements,
  releaseExpiredHolds,
  transactionStatus,
  voidHold,
} from "../src/index.ts";
import { apply, checkoutTenant, givePoints, holdRequest, saleWithHold } from "./checkout-fixtures.ts";
import { placeConfirmedHold } from "./sms-fixture.ts";

/**
 * Accepted must mean done: a sale the gateway accepted before its hold expired claims the hold (`claimHeldHolds`), and
 * the ledger commits the hold with it however late it applies the sale. So the sweep and a new hold of the customer
 * leave a claimed hold reserved for a grace after its expiry (`CLAIM_GRACE_MS`), then end it as any other.
 */
let db: Db;
beforeAll(() => {
  db = testDb();
});
afterAll(async () => {
  await db?.$disconnect();
});

const holdStatus = async (holdId: string) =>
  (await db.$queryRaw<{ status: string }[]>`SELECT status FROM checkout_holds WHERE id = ${holdId}`)[0]!.status;

const sweep = async (deps: HoldDeps, tenantId: string, now: Date) =>
  releaseExpiredHolds({
    db,
    log: createLogger({ level: "silent" }),
    tenantId,
    programme: (await deps.programmes.inForce(tenantId, now))!,
    now,
  });

/** A customer's hold of 200 points for 30 s, and its sale, received by the gateway now, before the expiry. */
async function holdAndSale() {
  const { tenantId, customers, deps } = await checkoutTenant(db);
  const customerId = customers[0]!;
  await givePoints(db, tenantId, customerId, 300);
  const placed = await placeHold(deps, tenantId, holdRequest(customerId, { points: 200, ttlSeconds: 30 }));
  const sale = saleWithHold(tenantId, customerId, placed.holdId, placed.quote.lines);
  const expiry = Date.parse(placed.expiresAt);
  expect(Date.parse(sale.receivedAt)).toBeLessThan(expiry);
  return { tenantId, customerId, deps, placed, sale, expiry };
}

describe("a hold claimed by a sale accepted before its expiry", () => {
  it("is left to its sale by the sweep after the expiry, and the sale applied late spends its points", async () => {
    const { tenantId, customerId, deps, placed, sale, expiry } = await holdAndSale();
    await claimHeldHolds(
      db,
      tenantId,
      [{ holdId: placed.holdId, externalId: sale.transaction.externalId }],
      new Date(sale.receivedAt),
    );

    expect((await sweep(deps, tenantId, new Date(expiry + 1_000))).acted).toBe(0);
    expect(await holdStatus(placed.holdId)).toBe("held");
    await apply(db, [sale]);
    expect(await holdStatus(placed.holdId)).toBe("committed");
    // The 200 points spent (€10 off the €16 basket), 6 earned on the €6 paid.
    expect((await customerBalances(db, tenantId, customerId)).points).toBe(300 - 200 + 6);
    expect(await findBalanceDrift(db, tenantId)).toEqual([]);
  });

  it("is left to its sale by a new hold of its customer after the expiry", async () => {
    const { tenantId, customerId, deps, placed, sale, expiry } = await holdAndSale();
    await claimHeldHolds(
      db,
      tenantId,
      [{ holdId: placed.holdId, externalId: sale.transaction.externalId }],
      new Date(sale.receivedAt),
    );
    const later = { ...deps, now: () => new Date(expiry + 1_000) };
    await placeHold(later, tenantId, holdRequest(customerId, { points: 100 }));
    expect(await holdStatus(placed.holdId)).toBe("held");
    await apply(db, [sale]);
    expect(await holdStatus(placed.holdId)).toBe("committed");
  });

  it("is ended by the sweep once the grace after its expiry ran out: a claim keeps nothing reserved for ever", async () => {
    const { tenantId, deps, placed, sale, expiry } = await holdAndSale();
    await claimHeldHolds(
      db,
      tenantId,
      [{ holdId: placed.holdId, externalId: sale.transaction.externalId }],
      new Date(sale.receivedAt),
    );
    expect((await sweep(deps, tenantId, new Date(expiry + CLAIM_GRACE_MS - 1_000))).acted).toBe(0);
    expect((await sweep(deps, tenantId, new Date(expiry + CLAIM_GRACE_MS + 1_000))).acted).toBe(1);
    expect(await holdStatus(placed.holdId)).toBe("expired");
  });

  it("ended by the sweep past the grace, still lets its sale be processed: accepted is not rejected", async () => {
    const { tenantId, customerId, deps, placed, sale, expiry } = await holdAndSale();
    await claimHeldHolds(
      db,
      tenantId,
      [{ holdId: placed.holdId, externalId: sale.transaction.externalId }],
      new Date(sale.receivedAt),
    );
    expect((await sweep(deps, tenantId, new Date(expiry + CLAIM_GRACE_MS + 1_000))).acted).toBe(1);
    await apply(db, [sale]);
    expect(await transactionStatus(db, tenantId, sale.transaction.externalId)).toMatchObject({ status: "processed" });
    expect(await holdStatus(placed.holdId)).toBe("expired");
    // The hold spent nothing; 6 earned on the €6 paid after the till's €10 off.
    expect((await customerBalances(db, tenantId, customerId)).points).toBe(300 + 6);
    expect(await findBalanceDrift(db, tenantId)).toEqual([]);
  });

  it("is not claimed by a sale received after the expiry: the sweep ends it as before", async () => {
    const { tenantId, deps, placed, expiry } = await holdAndSale();
    await claimHeldHolds(
      db,
      tenantId,
      [{ holdId: placed.holdId, externalId: "sale-after-expiry" }],
      new Date(expiry + 1_000),
    );
    expect((await sweep(deps, tenantId, new Date(expiry + 2_000))).acted).toBe(1);
    expect(await holdStatus(placed.holdId)).toBe("expired");
  });

  it("still reserves its points for new holds during the grace, so they are not spent twice", async () => {
    const { tenantId, customerId, deps, placed, sale, expiry } = await holdAndSale();
    await claimHeldHolds(
      db,
      tenantId,
      [{ holdId: placed.holdId, externalId: sale.transaction.externalId }],
      new Date(sale.receivedAt),
    );
    const later = { ...deps, now: () => new Date(expiry + 1_000) };
    await expect(placeHold(later, tenantId, holdRequest(customerId, { points: 200 }))).rejects.toMatchObject({
      code: "hold_refused",
    });
  });
});

/**
 * The ledger's partitions go by the identity a sale names, not by its customer: a later sale naming the claimed hold
 * (a guest's, another customer's, or the same customer's by phone where the claiming sale showed a card) may be
 * applied before the sale that claimed it. Received after the expiry, it commits nothing, and must not end the hold.
 */
describe("a later sale naming a claimed hold, applied before the sale that claimed it", () => {
  /** Another sale of the same basket naming the hold, by `customer` (none: a guest's), received at `ms`. */
  const after = (sale: TransactionMessage, ms: number, customer: CustomerRef | undefined): TransactionMessage => {
    const { tenantId, transaction: t } = sale;
    return { ...saleWithHold(tenantId, "", t.holdId!, t.lines, { customer }), receivedAt: new Date(ms).toISOString() };
  };

  /** The claiming sale, applied now, spends the hold's 200 points; `laterEarned`: what the later sale earned. */
  async function expectCommittedByClaimer(h: Awaited<ReturnType<typeof holdAndSale>>, laterEarned = 0) {
    await apply(db, [h.sale]);
    expect(await holdStatus(h.placed.holdId)).toBe("committed");
    expect((await customerBalances(db, h.tenantId, h.customerId)).points).toBe(300 - 200 + 6 + laterEarned);
    expect(await findBalanceDrift(db, h.tenantId)).toEqual([]);
  }

  it("leaves it to its sale when the later one names no customer", async () => {
    const h = await holdAndSale();
    await claimHeldHolds(
      db,
      h.tenantId,
      [{ holdId: h.placed.holdId, externalId: h.sale.transaction.externalId }],
      new Date(h.sale.receivedAt),
    );
    await apply(db, [after(h.sale, h.expiry + 5_000, undefined)]);
    expect(await holdStatus(h.placed.holdId)).toBe("held");
    await expectCommittedByClaimer(h);
  });

  it("leaves it to its sale when the later one is the same customer's by another identity", async () => {
    const h = await holdAndSale();
    const phone = `+48601${String(Math.floor(Math.random() * 900_000) + 100_000)}`;
    await db.$executeRaw`
      INSERT INTO customer_identities (tenant_id, kind, value, customer_id) VALUES (${h.tenantId}, 'phone', ${phone}, ${h.customerId})`;
    await claimHeldHolds(
      db,
      h.tenantId,
      [{ holdId: h.placed.holdId, externalId: h.sale.transaction.externalId }],
      new Date(h.sale.receivedAt),
    );
    const later = after(h.sale, h.expiry + 5_000, { phone });
    await apply(db, [later]);
    expect(await holdStatus(h.placed.holdId)).toBe("held");
    // The later sale, the same basket with the hold's discount, is rejected: the hold it names pays for the claimer.
    expect(await transactionStatus(db, h.tenantId, later.transaction.externalId)).toMatchObject({
      status: "rejected",
      reason: {
        code: "hold_used",
        message: expect.stringContaining(`claimed by sale ${h.sale.transaction.externalId}`),
      },
    });
    await expectCommittedByClaimer(h);
  });

  it("is never ended by another customer's sale, even past the grace; its customer's late sale ends it then", async () => {
    const h = await holdAndSale();
    const other = newId("customer");
    await db.$executeRaw`INSERT INTO customers (id, tenant_id, created_via) VALUES (${other}, ${h.tenantId}, 'test')`;
    await claimHeldHolds(
      db,
      h.tenantId,
      [{ holdId: h.placed.holdId, externalId: h.sale.transaction.externalId }],
      new Date(h.sale.receivedAt),
    );
    const pastGrace = h.expiry + CLAIM_GRACE_MS + 1_000;
    await apply(db, [after(h.sale, pastGrace, { id: other })]);
    expect(await holdStatus(h.placed.holdId)).toBe("held");
    await apply(db, [after(h.sale, pastGrace, { id: h.customerId })]);
    expect(await holdStatus(h.placed.holdId)).toBe("expired");
  });
});

/**
 * The till gave the hold's discounts on the sale the gateway accepted: the ledger will spend what the hold reserved
 * when it applies that sale. A void in between would free it, and the customer would keep the discount, the points
 * and the wallet cash.
 */
describe("voiding a hold that a sale accepted by the gateway claimed", () => {
  /** 300 points and €5 of wallet cash; a hold of 200 points (€10) and the €5 on the €16 basket; its sale, claimed. */
  async function claimedCashHold() {
    const { tenantId, customers, deps } = await checkoutTenant(db);
    const customerId = customers[0]!;
    await givePoints(db, tenantId, customerId, 300);
    await withTransaction(db, (tx) =>
      postMovements(tx, [
        {
          tenantId,
          customerId,
          kind: "bonus",
          unit: "wallet",
          amount: 500,
          idempotencyKey: `gift:${newId("event")}`,
          occurredAt: new Date(Date.now() - 3_600_000),
        },
      ]),
    );
    const request = holdRequest(customerId, { points: 200, wallet: 500, ttlSeconds: 60 });
    const placed = await placeConfirmedHold(db, deps, tenantId, request);
    const sale = saleWithHold(tenantId, customerId, placed.holdId, placed.quote.lines);
    expect(sale.transaction.total).toBe(100);
    await claimHeldHolds(
      db,
      tenantId,
      [{ holdId: placed.holdId, externalId: sale.transaction.externalId }],
      new Date(sale.receivedAt),
    );
    return { tenantId, customerId, placed, sale, expiry: Date.parse(placed.expiresAt) };
  }

  it("is refused: the sale spends the points and wallet cash it was given for", async () => {
    const { tenantId, customerId, placed, sale } = await claimedCashHold();
    await expect(voidHold(db, tenantId, placed.holdId, new Date(sale.receivedAt))).rejects.toMatchObject({
      code: "hold_ended",
      message: expect.stringMatching(/a sale was accepted with hold .*refund the sale instead/),
    });
    expect(await holdStatus(placed.holdId)).toBe("held");

    await apply(db, [sale]);
    expect(await holdStatus(placed.holdId)).toBe("committed");
    // 200 points and €5 spent; 1 point earned on the €1 paid.
    expect(await customerBalances(db, tenantId, customerId)).toMatchObject({ points: 101, wallet: 0 });
    expect(await findBalanceDrift(db, tenantId)).toEqual([]);
  });

  it("is refused after the hold's expiry while the claim's grace runs, and voids once it ran out", async () => {
    const { tenantId, placed, expiry } = await claimedCashHold();
    await expect(voidHold(db, tenantId, placed.holdId, new Date(expiry + 1_000))).rejects.toMatchObject({
      code: "hold_ended",
    });
    // A claiming sale that was never stored, or that the ledger rejected, keeps the hold no longer than that.
    const pastGrace = new Date(expiry + CLAIM_GRACE_MS + 1_000);
    expect(await voidHold(db, tenantId, placed.holdId, pastGrace)).toEqual({
      holdId: placed.holdId,
      status: "released",
    });
  });

  it("a hold no sale claimed is voided as before", async () => {
    const { tenantId, customers, deps } = await checkoutTenant(db);
    await givePoints(db, tenantId, customers[0]!, 300);
    const placed = await placeHold(deps, tenantId, holdRequest(customers[0]!, { points: 200 }));
    expect(await voidHold(db, tenantId, placed.holdId)).toEqual({ holdId: placed.holdId, status: "released" });
  });
});
