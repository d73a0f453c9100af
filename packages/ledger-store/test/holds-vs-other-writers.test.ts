import type { TransactionMessage } from "@regulars/contracts";
import type { Db } from "@regulars/db";
import { DomainError } from "@regulars/errors";
import { testDb } from "@regulars/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  adjustBalance,
  customerBalances,
  expirePoints,
  findBalanceDrift,
  placeHold,
  transactionStatus,
  voidHold,
} from "../src/index.ts";
import { apply, checkoutTenant, givePoints, holdRequest, saleWithHold } from "./checkout-fixtures.ts";

// Points a checkout holds stay spendable until the hold ends: no expiry and no admin debit takes them from under the
// till, which has already given the discount they pay for.

let db: Db;
beforeAll(() => {
  db = testDb();
});
afterAll(async () => {
  await db?.$disconnect();
});

/** The code the ledger rejected the sale with; undefined when it did not reject it. */
const rejection = async (tenantId: string, m: TransactionMessage) => {
  const status = await transactionStatus(db, tenantId, m.transaction.externalId);
  return status?.status === "rejected" ? status.reason.code : undefined;
};

const holdStatus = async (holdId: string) =>
  (await db.$queryRaw<{ status: string }[]>`SELECT status FROM checkout_holds WHERE id = ${holdId}`)[0]?.status;

/** 100 points in one lot that expires a minute from now. */
const expiringSoon = (tenantId: string, customerId: string) =>
  givePoints(db, tenantId, customerId, 100, new Date(Date.now() + 60_000));

describe("a hold in force against the ledger's other writers", () => {
  it("expiry passes over held points, and takes them once the hold has ended", async () => {
    const { tenantId, customers, deps } = await checkoutTenant(db);
    const [c] = customers as [string];
    await expiringSoon(tenantId, c);
    const placed = await placeHold(deps, tenantId, holdRequest(c, { points: 100 }));
    const programme = (await deps.programmes.inForce(tenantId, new Date()))!;
    const afterEarning = {
      ...programme,
      config: { ...programme.config, expiry: { kind: "after_earning" as const, months: 12, noticeDays: 14 } },
    };
    const job = (now: Date) => expirePoints({ db, log: console as never, tenantId, programme: afterEarning, now });
    // The lot expired, the hold (15 minutes) has not.
    const lotExpired = new Date(Date.now() + 120_000);
    expect((await job(lotExpired)).acted).toBe(0);
    expect((await customerBalances(db, tenantId, c)).points).toBe(100);

    await voidHold(db, tenantId, placed.holdId);
    expect((await job(lotExpired)).acted).toBe(1);
    expect((await customerBalances(db, tenantId, c)).points).toBe(0);
  });

  it("an admin's debit may not take points a hold reserves", async () => {
    const { tenantId, customers, deps } = await checkoutTenant(db);
    const [c] = customers as [string];
    await expiringSoon(tenantId, c);
    await placeHold(deps, tenantId, holdRequest(c, { points: 80 }));
    const programme = (await deps.programmes.inForce(tenantId, new Date()))!;
    const debit = (amount: number) =>
      adjustBalance(db, tenantId, "staff:test", { customerId: c, unit: "points", amount, reason: "fix" }, programme);
    const refused = await debit(-50).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(DomainError);
    expect((refused as DomainError).message).toMatch(/of which 80 held by a checkout in progress/);
    // The floor carries an input check's code and bound, so the admin's page words it in its own language.
    expect((refused as DomainError).issues).toEqual([
      {
        path: "amount",
        message: "must be at least -20",
        code: "too_small",
        params: { origin: "number", minimum: -20, inclusive: true },
      },
    ]);
    expect(await debit(-20)).toMatchObject({ applied: true, balance: 80 });
  });
});

describe("a hold past its expiry that no sweep has ended yet, whose sale was received in time but is applied late", () => {
  /** A hold of all 100 points, and its sale as it reached the gateway a second before the hold expired. */
  async function lapsedHoldWithLateSale(lotExpiresAt: Date | null) {
    const { tenantId, customers, deps } = await checkoutTenant(db);
    const [c] = customers as [string];
    await givePoints(db, tenantId, c, 100, lotExpiresAt);
    const placed = await placeHold(deps, tenantId, holdRequest(c, { points: 100 }));
    const expiry = Date.parse(placed.expiresAt);
    const sale = {
      ...saleWithHold(tenantId, c, placed.holdId, placed.quote.lines),
      receivedAt: new Date(expiry - 1_000).toISOString(),
    };
    const programme = (await deps.programmes.inForce(tenantId, new Date()))!;
    return { tenantId, c, holdId: placed.holdId, sale, programme, afterExpiry: new Date(expiry + 5_000) };
  }

  it("expiry ends the hold before taking its points, so the sale is rejected and the points go once", async () => {
    const { tenantId, c, holdId, sale, programme, afterExpiry } = await lapsedHoldWithLateSale(
      new Date(Date.now() + 60_000),
    );
    const afterEarning = {
      ...programme,
      config: { ...programme.config, expiry: { kind: "after_earning" as const, months: 12, noticeDays: 14 } },
    };
    const job = await expirePoints({ db, log: console as never, tenantId, programme: afterEarning, now: afterExpiry });
    expect(job.acted).toBe(1);

    await apply(db, [sale]);
    // Its hold ended before it was applied: rejected (hold_ended), as a sale arriving after its hold expired; the 100
    // points were taken once.
    expect(await rejection(tenantId, sale)).toBe("hold_ended");
    expect((await customerBalances(db, tenantId, c)).points).toBe(0);
    expect(await holdStatus(holdId)).toBe("expired");
    expect(await findBalanceDrift(db, tenantId)).toEqual([]);
  });

  it("an admin's debit ends the hold before taking its points, so the sale is rejected and the points go once", async () => {
    const { tenantId, c, holdId, sale, programme, afterExpiry } = await lapsedHoldWithLateSale(null);
    const input = { customerId: c, unit: "points" as const, amount: -100, reason: "fix" };
    const debit = await adjustBalance(db, tenantId, "staff:test", input, programme, afterExpiry);
    expect(debit).toMatchObject({ applied: true, balance: 0 });

    await apply(db, [sale]);
    expect(await rejection(tenantId, sale)).toBe("hold_ended");
    expect((await customerBalances(db, tenantId, c)).points).toBe(0);
    expect(await holdStatus(holdId)).toBe("expired");
    expect(await findBalanceDrift(db, tenantId)).toEqual([]);
  });
});
