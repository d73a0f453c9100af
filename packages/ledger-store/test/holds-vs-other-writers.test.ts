import type { Db } from "@regulars/db";
import { DomainError } from "@regulars/errors";
import { testDb } from "@regulars/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { adjustBalance, customerBalances, expirePoints, placeHold, voidHold } from "../src/index.ts";
import { checkoutTenant, givePoints, holdRequest } from "./checkout-fixtures.ts";

// Points a checkout holds stay spendable until the hold ends: no expiry and no admin debit takes them from under the
// till, which has already given the discount they pay for.

let db: Db;
beforeAll(() => {
  db = testDb();
});
afterAll(async () => {
  await db?.$disconnect();
});

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
    expect((refused as DomainError).issues).toEqual([{ path: "amount", message: "must be at least -20" }]);
    expect(await debit(-20)).toMatchObject({ applied: true, balance: 80 });
  });
});
