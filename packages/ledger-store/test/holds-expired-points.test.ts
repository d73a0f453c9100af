import { type Db, withTransaction } from "@regulars/db";
import { newId } from "@regulars/ids";
import { testDb } from "@regulars/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  customerBalances,
  expirePoints,
  type HoldDeps,
  placeHold,
  postMovements,
  quoteCheckout,
} from "../src/index.ts";
import { checkoutProgramme, checkoutTenant, givePoints, holdRequest } from "./checkout-fixtures.ts";

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

describe("a hold while points past their date wait for the expiry pass", () => {
  it("cannot take them, where a hold placed before their date keeps the expiry pass away", async () => {
    const { tenantId, customers, deps } = await checkoutTenant(db);
    const customerId = customers[0]!;
    const start = Date.now();
    await givePoints(db, tenantId, customerId, 300, new Date(start + MINUTE));
    // Placed before the date, for a day: the expiry pass leaves the customer alone while it holds.
    await placeHold(at(deps, start), tenantId, holdRequest(customerId, { points: 50, ttlSeconds: 86_400 }));

    const later = start + 2 * MINUTE;
    const programme = (await deps.programmes.inForce(tenantId, new Date(later)))!;
    const afterEarning = {
      ...programme,
      config: { ...programme.config, expiry: { kind: "after_earning" as const, months: 12, noticeDays: 14 } },
    };
    const pass = await expirePoints({
      db,
      log: console as never,
      tenantId,
      programme: afterEarning,
      now: new Date(later),
    });
    expect(pass.acted).toBe(0);
    expect((await customerBalances(db, tenantId, customerId)).points).toBe(300);

    // 300 − max(50 held, 300 due): nothing to spend.
    const quote = await quoteCheckout(at(deps, later), tenantId, { ...holdRequest(customerId), points: 200 });
    expect(quote.points).toMatchObject({ balance: 300, held: 50, spendable: 0 });
    await expect(
      placeHold(at(deps, later), tenantId, holdRequest(customerId, { points: 200 })).catch(refusal),
    ).resolves.toBe("hold_refused");
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
