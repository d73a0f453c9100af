import { createPgTransactionRunner, type Db, type TransactionRunner, withTransaction } from "@regulars/db";
import type { DomainError } from "@regulars/errors";
import { testDatabaseUrl, testDb } from "@regulars/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type HoldDeps, placeHold, postMovements } from "../src/index.ts";
import { line } from "./batch-fixtures.ts";
import { basket, checkoutTenant, genericCoupon, givePoints, holdRequest } from "./checkout-fixtures.ts";
import { smsSent } from "./sms-fixture.ts";

// The gateway places holds in transactions on a pg pool of its own (`HoldDeps.transactions`), where the rest of these
// tests use Prisma's: the same statements, so the same locks, prices and refusals, read back the same.

let db: Db;
let transactions: TransactionRunner;
beforeAll(() => {
  db = testDb();
  transactions = createPgTransactionRunner({ url: testDatabaseUrl(), poolSize: 4, applicationName: "test-holds" });
});
afterAll(async () => {
  await transactions?.close();
  await db?.$disconnect();
});

const onPg = (deps: HoldDeps): HoldDeps => ({ ...deps, transactions });

describe("checkout holds in transactions on a pg pool", () => {
  it("place the same hold as through Prisma: the same quote, reservation and expiry", async () => {
    const { tenantId, customers, deps } = await checkoutTenant(db, 2);
    const [viaPrisma, viaPg] = customers as [string, string];
    for (const c of customers) await givePoints(db, tenantId, c, 300);
    const at = new Date();
    await genericCoupon(db, tenantId, "FRIES-OFF", { benefit: { kind: "fixed_off", amount: 100 } });
    const withPuff = basket([line("BURGER", 1200), line("FRIES", 400), line("PUFF", 300)]);
    const request = (c: string) =>
      holdRequest(c, { basket: withPuff, points: 200, rewardIds: ["veg-puff"], couponCodes: ["FRIES-OFF"] });
    const prisma = await placeHold({ ...deps, now: () => at }, tenantId, request(viaPrisma));
    const pg = await placeHold({ ...onPg(deps), now: () => at }, tenantId, request(viaPg));
    expect(pg.holdId).not.toBe(prisma.holdId);
    expect({ ...pg, holdId: "" }).toEqual({ ...prisma, holdId: "" });
    const held = await db.$queryRaw<{ customer_id: string; points: bigint; status: string }[]>`
      SELECT customer_id, points, status FROM checkout_holds WHERE id IN (${prisma.holdId}, ${pg.holdId})`;
    expect(held.map((h) => [h.points, h.status])).toEqual([
      [held[0]!.points, "held"],
      [held[0]!.points, "held"],
    ]);
    expect(held[0]!.points).toBeGreaterThan(0n);
  });

  it("let exactly one of two terminals spend the same 100 points", async () => {
    const { tenantId, customers, deps } = await checkoutTenant(db);
    const [c] = customers as [string];
    await givePoints(db, tenantId, c, 100);
    const results = await Promise.allSettled([
      placeHold(onPg(deps), tenantId, holdRequest(c, { points: 100 })),
      placeHold(onPg(deps), tenantId, holdRequest(c, { points: 100 })),
    ]);
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    const lost = results.find((r) => r.status === "rejected") as PromiseRejectedResult;
    expect((lost.reason as DomainError).code).toBe("hold_refused");
  });

  it("let exactly one of 30 terminals hold a limit-1 coupon, the others refused limit_reached", async () => {
    const { tenantId, customers, deps } = await checkoutTenant(db, 30);
    const campaign = await genericCoupon(db, tenantId, "ONLYONE", {
      benefit: { kind: "fixed_off", amount: 300 },
      limits: { total: 1 },
    });
    const results = await Promise.allSettled(
      customers.map((c) => placeHold(onPg(deps), tenantId, holdRequest(c, { couponCodes: ["ONLYONE"] }))),
    );
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    for (const r of results.filter((x) => x.status === "rejected") as PromiseRejectedResult[])
      expect((r.reason as DomainError).issues?.[0]?.message).toMatch(/^limit_reached: /);
    const uses = await db.$queryRaw<{ n: bigint }[]>`
      SELECT count(*) AS n FROM coupon_uses WHERE campaign_id = ${campaign} AND status = 'held'`;
    expect(uses).toEqual([{ n: 1n }]);
  });

  it("send the wallet-cash code in the hold's transaction, and nothing when the hold is refused", async () => {
    const { tenantId, customers, deps } = await checkoutTenant(db, 2);
    const [payer, broke] = customers as [string, string];
    for (const [c, phone] of [
      [payer, "+48600300400"],
      [broke, "+48600300401"],
    ] as const)
      await db.$executeRaw`
        INSERT INTO customer_identities (tenant_id, kind, value, customer_id) VALUES (${tenantId}, 'phone', ${phone}, ${c})`;
    await withTransaction(db, (tx) =>
      postMovements(tx, [
        {
          tenantId,
          customerId: payer,
          kind: "bonus",
          unit: "wallet",
          amount: 2000,
          idempotencyKey: `gift:${payer}`,
          occurredAt: new Date(Date.now() - 3_600_000),
        },
      ]),
    );
    const cash = (c: string) => holdRequest(c, { basket: { ...basket(), channel: "pos" as const }, wallet: 500 });
    const placed = await placeHold(onPg(deps), tenantId, cash(payer));
    expect(placed.confirmation).toMatchObject({ required: true, sentTo: "+48•••••400" });
    expect(await smsSent(db, tenantId, payer)).toEqual([expect.objectContaining({ recipient: "+48600300400" })]);
    // No wallet cash to spend: refused, and the SMS is rolled back with the rest.
    const refused = await placeHold(onPg(deps), tenantId, cash(broke)).catch((e: DomainError) => e);
    expect((refused as DomainError).code).toBe("hold_refused");
    expect(await smsSent(db, tenantId, broke)).toEqual([]);
  });
});
