import { TransactionInput } from "@regulars/contracts";
import type { Db } from "@regulars/db";
import { newId, stableId } from "@regulars/ids";
import { applyTransactionBatch } from "@regulars/ledger-store";
import { ProgrammeCache } from "@regulars/programme";
import { saleBody, testDb } from "@regulars/testing";
import { TRPCError } from "@trpc/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { tenantCallers } from "./helpers.ts";

// The admin's customer view says whether the customer was erased, so the admin app can show it after a reload.

let db: Db;
beforeAll(() => {
  db = testDb();
});
afterAll(async () => {
  await db?.$disconnect();
});

it("customers.get tells an erased customer from one whose data is held", async () => {
  const t = await tenantCallers(db, "Erased Burgers");
  const customerId = newId("customer");
  await db.customer.create({
    data: { id: customerId, tenantId: t.tenantId, name: "Ewa Nowak", phone: "+48600555001", createdVia: "test" },
  });
  expect(await t.admin.customers.get({ id: customerId })).toMatchObject({ name: "Ewa Nowak", erasedAt: null });

  const outcome = await t.admin.privacy.erase({ customerId, confirmCustomerId: customerId });
  expect(outcome.status).toBe("erased");
  expect(await t.admin.customers.get({ id: customerId })).toMatchObject({
    name: null,
    phone: null,
    erasedAt: outcome.erasedAt,
  });
});

// Erasure keeps an erased customer's row, ledger and holds for the tenant's accounts. A kiosk or POS key must not
// reach any of it by the customer's id (or a hold's), as customers.get already refuses; the admin keeps reading it.

const meal = { sku: "MEAL", name: "Meal", quantity: 1, unitPrice: 4200, discount: 0, tags: [] };
const basket = { locationId: "store-001", channel: "kiosk" as const, currency: "EUR", lines: [meal] };

/** A customer known by phone with a processed €42 sale and a hold placed at the kiosk, then erased. */
async function erasedWithHistory(t: Awaited<ReturnType<typeof tenantCallers>>, phone: string) {
  const transaction = TransactionInput.parse(saleBody({ customer: { phone }, locationId: "store-001", lines: [meal] }));
  const message = {
    tenantId: t.tenantId,
    transactionId: stableId("transaction", t.tenantId, transaction.externalId),
    receivedAt: new Date().toISOString(),
    transaction,
  };
  const [outcome] = (await applyTransactionBatch({ db, programmes: new ProgrammeCache(db, 0) }, [message])).outcomes;
  expect(outcome).toEqual({ kind: "done" });
  const { id: customerId } = await db.customer.findFirstOrThrow({ where: { tenantId: t.tenantId, phone } });
  const { holdId } = await t.kiosk.checkout.hold({ customer: { id: customerId }, basket, points: 40 });
  const erased = await t.admin.privacy.erase({ customerId, confirmCustomerId: customerId });
  expect(erased.status).toBe("erased");
  return { customerId, holdId, transactionId: message.transactionId };
}

/** How a call ended: its error's code and message, or "answered". */
async function outcome(work: Promise<unknown>) {
  try {
    await work;
    return "answered";
  } catch (e) {
    if (e instanceof TRPCError) return { code: e.code, message: e.message };
    throw e;
  }
}

describe("an erased customer at the till", () => {
  let t: Awaited<ReturnType<typeof tenantCallers>>;
  let erased: Awaited<ReturnType<typeof erasedWithHistory>>;
  beforeAll(async () => {
    t = await tenantCallers(db, "Erased Till Burgers");
    await t.admin.programme.redemption.set({ redemption: { points: 100, value: 500, minPoints: 0, step: 1 } });
    const levels = [
      { id: "bronze", name: "Bronze", threshold: 0 },
      { id: "gold", name: "Gold", threshold: 500 },
    ];
    await t.admin.programme.tiers.set({ tiers: { basis: "points_earned", window: "lifetime", levels } });
    erased = await erasedWithHistory(t, "+48600555042");
  });

  it.each(["kiosk", "pos"] as const)("a %s key gets not_found from every customer-scoped procedure", async (role) => {
    const caller = t[role];
    const { customerId, holdId } = erased;
    // The key bounds the basket's channel as it does a sale's.
    const tillBasket = { ...basket, channel: role };
    const answers = {
      get: await outcome(caller.customers.get({ id: customerId })),
      ledger: await outcome(caller.customers.ledger({ customerId })),
      tier: await outcome(caller.customers.tier({ customerId })),
      identify: await outcome(caller.customers.identify({ phone: "+48600555042" })),
      quote: await outcome(caller.checkout.quote({ customer: { id: customerId }, basket: tillBasket })),
      hold: await outcome(caller.checkout.hold({ customer: { id: customerId }, basket: tillBasket, points: 1 })),
      getHold: await outcome(caller.checkout.getHold({ holdId })),
    };
    // The till view's answer, so a till cannot tell an erased customer from an id it never knew.
    const notFound = { code: "NOT_FOUND", message: "no customer matches" };
    expect(answers).toEqual({
      get: notFound,
      ledger: notFound,
      tier: notFound,
      identify: notFound,
      quote: { code: "NOT_FOUND", message: "no customer with that identity" },
      hold: { code: "NOT_FOUND", message: "no customer with that identity" },
      getHold: { code: "NOT_FOUND", message: `no hold ${holdId}` },
    });
  });

  it("the admin still reads the erased account's ledger, tier and hold, with nothing personal left", async () => {
    const { customerId, holdId, transactionId } = erased;
    const ledger = await t.admin.customers.ledger({ customerId });
    expect(ledger.items).toContainEqual(
      expect.objectContaining({ kind: "earn", unit: "points", amount: 42, transactionId }),
    );
    expect(await t.admin.customers.get({ id: customerId })).toMatchObject({ name: null, phone: null });
    expect(await t.admin.customers.tier({ customerId })).toMatchObject({ tier: { id: "bronze" }, qualifyingValue: 42 });
    expect(await t.admin.checkout.getHold({ holdId })).toMatchObject({ holdId, customerId });
  });

  it("a till still reads a customer whose data is held: ledger, tier and hold", async () => {
    const customerId = (await t.admin.customers.register({ phone: "+48600555043", phoneVerified: true })).customer.id;
    await t.admin.customers.adjust({ customerId, amount: 100, reason: "points from paper cards" });
    const { holdId } = await t.kiosk.checkout.hold({ customer: { id: customerId }, basket, points: 40 });

    expect((await t.kiosk.customers.ledger({ customerId })).items).toEqual([
      expect.objectContaining({ kind: "adjust", amount: 100, reason: null }),
    ]);
    expect(await t.pos.customers.tier({ customerId })).toMatchObject({ tier: { id: "bronze" } });
    expect(await t.pos.checkout.getHold({ holdId })).toMatchObject({ holdId, customerId, points: 40 });
  });
});
