import { RegisterCustomerRequest } from "@regulars/contracts";
import type { Db } from "@regulars/db";
import { DomainError } from "@regulars/errors";
import { newId } from "@regulars/ids";
import { customerBalances, findBalanceDrift, postMovements, qualifyingValueNow } from "@regulars/ledger-store";
import { testDb } from "@regulars/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { registerCustomer } from "../src/index.ts";
import { applyAtTill, appOrigin, loyaltyTenant, outboxOf, tillMessage } from "./fixtures.ts";
import { mergeParties } from "./merge-fixtures.ts";

let db: Db;
const now = new Date();
const DAY = 86_400_000;

beforeAll(() => {
  db = testDb();
});
afterAll(async () => {
  await db?.$disconnect();
});

const { freshPhone, appAccount, provePhone, tillCustomer } = mergeParties(() => db, "+48602", now);
const lotsOf = (tenantId: string, customerId: string) =>
  db.pointLot.findMany({ where: { tenantId, customerId, remaining: { gt: 0 } }, orderBy: { id: "asc" } });
const credit = (tenantId: string, customerId: string, unit: "points" | "wallet", amount: number, lotDays?: number) =>
  db.$transaction((tx) =>
    postMovements(tx, [
      {
        tenantId,
        customerId,
        kind: "bonus",
        unit,
        amount,
        idempotencyKey: `test:${newId("movement")}`,
        occurredAt: now,
        ...(lotDays !== undefined
          ? { lot: { availableAt: new Date(now.getTime() + lotDays * DAY), expiresAt: null } }
          : {}),
      },
    ]),
  );

describe("merging the tills' customer into the app account that proves the phone", () => {
  it("moves points lot by lot (expiry and pending kept), wallet cash, identities and sales; the books still add up", async () => {
    const { tenantId } = await loyaltyTenant(db, "Merge Ledger");
    const phone = freshPhone();
    const sale = tillMessage(tenantId, { phone, total: 3_000 }, now);
    await applyAtTill(db, now, sale);
    const till = await tillCustomer(tenantId, phone);
    await credit(tenantId, till, "points", 40, 7); // pending for a week
    await credit(tenantId, till, "wallet", 500);
    const [saleLot] = await lotsOf(tenantId, till);
    const app = await appAccount(tenantId);
    await credit(tenantId, app, "points", 5);

    const update = await provePhone(tenantId, app, phone);
    expect(update).toMatchObject({
      changed: ["phone", "phoneVerified"],
      mergedCustomerIds: [till],
      customer: { id: app, phone, phoneVerified: true },
    });
    expect(await customerBalances(db, tenantId, app)).toMatchObject({ points: 35, pendingPoints: 40, wallet: 500 });
    expect(await customerBalances(db, tenantId, till)).toMatchObject({ points: 0, pendingPoints: 0, wallet: 0 });
    expect(await findBalanceDrift(db, tenantId)).toEqual([]);
    const moved = await lotsOf(tenantId, app);
    expect(moved.map((l) => [Number(l.remaining), l.expiresAt?.toISOString() ?? null, l.released])).toEqual([
      [5, null, true],
      [30, saleLot!.expiresAt!.toISOString(), true],
      [40, null, false],
    ]);
    expect(moved[2]!.availableAt.getTime()).toBe(now.getTime() + 7 * DAY);
    const movements = await db.ledgerMovement.findMany({
      where: { tenantId, kind: { in: ["transfer_out", "transfer_in"] } },
      orderBy: { idempotencyKey: "asc" },
    });
    expect(movements.map((m) => [m.kind, m.customerId, m.unit, Number(m.amount)]).sort()).toEqual(
      [
        ["transfer_in", app, "points", 30],
        ["transfer_in", app, "points", 40],
        ["transfer_in", app, "wallet", 500],
        ["transfer_out", till, "points", -30],
        ["transfer_out", till, "points", -40],
        ["transfer_out", till, "wallet", -500],
      ].sort(),
    );
    expect(await db.customerIdentity.findMany({ where: { tenantId, value: phone } })).toEqual([
      expect.objectContaining({ kind: "phone", customerId: app }),
    ]);
    expect(await db.transaction.findFirstOrThrow({ where: { id: sale.transactionId } })).toMatchObject({
      customerId: app,
    });
    expect(await db.customerMerge.findUniqueOrThrow({ where: { mergedId: till } })).toMatchObject({
      intoId: app,
      moved: expect.objectContaining({ points: 30, pendingPoints: 40, wallet: 500, identities: 1, transactions: 1 }),
    });
    const [merged] = (await outboxOf(db, tenantId, "customer.updated")).filter((e) => e.cause === "merge");
    expect(merged).toMatchObject({ customerId: app, mergedCustomerId: till });

    // A refund of the sale made before the merge takes its points back from the app account.
    await applyAtTill(
      db,
      now,
      tillMessage(tenantId, { phone, total: 3_000, type: "refund", refundOf: sale.transaction.externalId }, now, 5),
    );
    expect(await customerBalances(db, tenantId, app)).toMatchObject({ points: 5, pendingPoints: 40 });
    expect(await customerBalances(db, tenantId, till)).toMatchObject({ points: 0 });
    // And the next sale by phone earns on the app account.
    await applyAtTill(db, now, tillMessage(tenantId, { phone, total: 1_000 }, now, 1));
    expect((await customerBalances(db, tenantId, app)).points).toBe(15);
    expect(await findBalanceDrift(db, tenantId)).toEqual([]);
  });

  it("the points the tills' customer earned count for the app account's tier, once", async () => {
    const { tenantId } = await loyaltyTenant(db, "Merge Tier");
    const phone = freshPhone();
    await applyAtTill(db, now, tillMessage(tenantId, { phone, total: 3_000 }, now));
    const till = await tillCustomer(tenantId, phone);
    const tiers = { basis: "points_earned" as const, window: "rolling_12_months" as const };
    const earned = (id: string) => qualifyingValueNow(db, tenantId, id, tiers, "Europe/Warsaw", new Date());
    const atTill = await earned(till);
    expect(atTill).toBeGreaterThan(0);
    const app = await appAccount(tenantId);
    expect(await earned(app)).toBe(0);

    await provePhone(tenantId, app, phone);
    // The transfer that moved the balance is not earning: the basis is what the tills' customer earned, once.
    expect(await earned(app)).toBe(atTill);
  });

  it("moves a debt a refund left as well", async () => {
    const { tenantId } = await loyaltyTenant(db, "Merge Debt");
    const phone = freshPhone();
    const sale = tillMessage(tenantId, { phone, total: 2_000 }, now, 30);
    await applyAtTill(db, now, sale);
    const till = await tillCustomer(tenantId, phone);
    await db.$transaction((tx) =>
      postMovements(tx, [
        {
          tenantId,
          customerId: till,
          kind: "redeem",
          unit: "points",
          amount: -15,
          idempotencyKey: "spent",
          occurredAt: now,
        },
      ]),
    );
    await applyAtTill(
      db,
      now,
      tillMessage(tenantId, { phone, total: 2_000, type: "refund", refundOf: sale.transaction.externalId }, now, 20),
    );
    expect((await customerBalances(db, tenantId, till)).points).toBe(-15);
    const app = await appAccount(tenantId);
    await credit(tenantId, app, "points", 40);
    await provePhone(tenantId, app, phone);
    expect((await customerBalances(db, tenantId, app)).points).toBe(25);
    expect((await customerBalances(db, tenantId, till)).points).toBe(0);
    expect(await findBalanceDrift(db, tenantId)).toEqual([]);
  });

  it("also merges when an app account registers again with the proven phone", async () => {
    const { tenantId } = await loyaltyTenant(db, "Merge Again");
    const phone = freshPhone();
    await applyAtTill(db, now, tillMessage(tenantId, { phone, total: 1_100 }, now));
    const till = await tillCustomer(tenantId, phone);
    const ext = { provider: "google", subject: newId("request") };
    const register = (body: Record<string, unknown>) =>
      registerCustomer(db, tenantId, RegisterCustomerRequest.parse({ externalIdentity: ext, ...body }), appOrigin(now));
    const first = await register({});
    const again = await register({ phone, phoneVerified: true });
    expect(again).toMatchObject({
      outcome: "existing",
      mergedCustomerIds: [till],
      customer: { id: first.customer.id },
    });
    expect((await customerBalances(db, tenantId, first.customer.id)).points).toBe(11);
  });

  it("refuses while the tills' customer has a checkout hold in force, and when it is an app account itself", async () => {
    const { tenantId } = await loyaltyTenant(db, "Merge Refusals");
    const phone = freshPhone();
    await applyAtTill(db, now, tillMessage(tenantId, { phone, total: 1_000 }, now));
    const till = await tillCustomer(tenantId, phone);
    await db.checkoutHold.create({
      data: {
        id: newId("hold"),
        tenantId,
        customerId: till,
        status: "held",
        points: 10,
        quote: {},
        locationId: "store-001",
        channel: "pos",
        expiresAt: new Date(now.getTime() + 10 * 60_000),
      },
    });
    const app = await appAccount(tenantId);
    const refusal = await provePhone(tenantId, app, phone).catch((e: DomainError) => e);
    expect(refusal).toMatchObject({ code: "conflict", message: expect.stringMatching(/checkout in progress/) });
    expect((await customerBalances(db, tenantId, till)).points).toBe(10);

    const other = freshPhone();
    const owner = await registerCustomer(
      db,
      tenantId,
      RegisterCustomerRequest.parse({
        phone: other,
        phoneVerified: true,
        externalIdentity: { provider: "apple", subject: "x" },
      }),
      appOrigin(now),
    );
    const second = await provePhone(tenantId, app, other).catch((e: DomainError) => e);
    expect(second).toBeInstanceOf(DomainError);
    expect(second).toMatchObject({ code: "conflict", message: expect.stringMatching(/another app account/) });
    expect(await db.customerIdentity.findFirstOrThrow({ where: { tenantId, value: other } })).toMatchObject({
      customerId: owner.customer.id,
    });
  });
});
