import type { Db } from "@regulars/db";
import { testDb } from "@regulars/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CLAIM_GRACE_MS } from "../src/holds/release.ts";
import { claimHeldHolds, customerBalances, expirePoints, findBalanceDrift, placeHold } from "../src/index.ts";
import { checkoutTenant, givePoints, holdRequest } from "./checkout-fixtures.ts";

/**
 * A hold claimed by a sale accepted before its expiry keeps its points for a grace after that expiry (`holdLapsed`).
 * The expiry pass leaves such a customer's expired lots for a later pass, and goes on with everyone else's: a slice
 * full of them must not end the pass.
 */
let db: Db;
beforeAll(() => {
  db = testDb();
});
afterAll(async () => {
  await db?.$disconnect();
});

describe("the points expiry pass, with customers whose claimed holds are in their grace", () => {
  it("skips those customers and expires the others' lots, however many of them fill a slice", async () => {
    const { tenantId, customers, deps } = await checkoutTenant(db, 3);
    const [holding1, holding2, other] = customers as [string, string, string];
    const start = Date.now();
    // The holding customers' lots expire first, so a slice of two picks them before the other's.
    await givePoints(db, tenantId, holding1, 100, new Date(start + 60_000));
    await givePoints(db, tenantId, holding2, 100, new Date(start + 60_000));
    await givePoints(db, tenantId, other, 100, new Date(start + 61_000));
    let expiry = 0;
    for (const c of [holding1, holding2]) {
      const placed = await placeHold(deps, tenantId, holdRequest(c, { points: 100, ttlSeconds: 30 }));
      await claimHeldHolds(
        db,
        tenantId,
        [{ holdId: placed.holdId, externalId: `sale-${placed.holdId}` }],
        new Date(start),
      );
      expiry = Math.max(expiry, Date.parse(placed.expiresAt));
    }
    const programme = (await deps.programmes.inForce(tenantId, new Date(start)))!;
    const afterEarning = {
      ...programme,
      config: { ...programme.config, expiry: { kind: "after_earning" as const, months: 12, noticeDays: 14 } },
    };
    const pass = (now: Date) => expirePoints({ db, log: console as never, tenantId, programme: afterEarning, now }, 2);
    const points = async (c: string) => (await customerBalances(db, tenantId, c)).points;

    // Every lot expired; the holds expired too, but their grace runs.
    expect((await pass(new Date(start + 90_000))).acted).toBe(1);
    expect([await points(holding1), await points(holding2), await points(other)]).toEqual([100, 100, 0]);

    // Past the grace the holds end and their customers' lots go.
    expect((await pass(new Date(expiry + CLAIM_GRACE_MS + 1_000))).acted).toBe(2);
    expect([await points(holding1), await points(holding2)]).toEqual([0, 0]);
    expect(await findBalanceDrift(db, tenantId)).toEqual([]);
  });
});
