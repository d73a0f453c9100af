import type { Db } from "@regulars/db";
import { testDb } from "@regulars/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { failure, tenantCallers } from "./helpers.ts";

// checkout.hold, confirm and void with admin credentials are admin actions, audited; a till's own checkout is not.

let db: Db;
beforeAll(() => {
  db = testDb();
});
afterAll(async () => {
  await db?.$disconnect();
});

const basket = {
  locationId: "store-001",
  channel: "pos" as const,
  currency: "EUR",
  lines: [{ sku: "BURGER", name: "Burger", quantity: 1, unitPrice: 1200, discount: 0, tags: [] }],
};

/** A member with a phone to receive the hold's code and €20 of wallet cash. */
async function walletMember(t: Awaited<ReturnType<typeof tenantCallers>>, phone: string) {
  const { customer } = await t.admin.customers.register({ phone, phoneVerified: true });
  await t.admin.customers.adjust({ customerId: customer.id, unit: "wallet", amount: 2000, reason: "cashback gift" });
  return customer.id;
}

/** The code in the hold's SMS, still queued (no sender runs here). */
async function codeSent(tenantId: string, customerId: string): Promise<string> {
  const [sms] = await db.$queryRaw<{ body: string }[]>`
    SELECT content->>'body' AS body FROM messages
    WHERE tenant_id = ${tenantId} AND customer_id = ${customerId} AND transactional
    ORDER BY created_at DESC, id DESC LIMIT 1`;
  return /\b(\d{6})\b/.exec(sms!.body)![1]!;
}

const auditOf = (tenantId: string, holdId: string) =>
  db.auditLog.findMany({ where: { tenantId, target: holdId }, orderBy: { id: "asc" } });

describe("checkout by an admin", () => {
  it("audits the hold, each confirmation attempt and the void, with the actor, the hold and counts", async () => {
    const t = await tenantCallers(db, "Audited Checkout Grill");
    const phone = "+48600313001";
    const customerId = await walletMember(t, phone);
    const placed = await t.admin.checkout.hold({ basket, customer: { phone }, wallet: 500, ttlSeconds: 600 });
    expect(placed.confirmation).toMatchObject({ required: true });
    const code = await codeSent(t.tenantId, customerId);
    const wrong = code === "000000" ? "000001" : "000000";
    expect((await failure(t.admin.checkout.confirm({ holdId: placed.holdId, code: wrong }))).message).toMatch(
      /^wrong code/,
    );
    expect(await t.admin.checkout.confirm({ holdId: placed.holdId, code })).toMatchObject({ confirmed: true });
    expect(await t.admin.checkout.void({ holdId: placed.holdId })).toEqual({
      holdId: placed.holdId,
      status: "released",
    });

    const audited = await auditOf(t.tenantId, placed.holdId);
    const held = { customerId, points: 0, wallet: 500 };
    expect(audited.map((a) => [a.action, a.actor, a.details])).toEqual([
      ["checkout.hold", t.adminKeyId, { ...held, coupons: 0, discount: 500, confirmationRequired: true }],
      ["checkout.confirm", t.adminKeyId, { ...held, outcome: "confirmation_failed" }],
      ["checkout.confirm", t.adminKeyId, { ...held, outcome: "confirmed" }],
      ["checkout.void", t.adminKeyId, { ...held, status: "released" }],
    ]);
    // Ids and counts: not the phone the hold named the customer by, nor the code.
    const details = JSON.stringify(audited.map((a) => a.details));
    expect(details).not.toContain(phone.slice(3));
    expect(details).not.toContain(code);
  });

  it("leaves a till's own hold, confirmation and void unaudited: they are not admin actions", async () => {
    const t = await tenantCallers(db, "Till Checkout Grill");
    const phone = "+48600313002";
    const customerId = await walletMember(t, phone);
    const placed = await t.pos.checkout.hold({ basket, customer: { id: customerId }, wallet: 500, ttlSeconds: 600 });
    await t.pos.checkout.confirm({ holdId: placed.holdId, code: await codeSent(t.tenantId, customerId) });
    expect(await t.kiosk.checkout.void({ holdId: placed.holdId })).toMatchObject({ status: "released" });
    expect(await auditOf(t.tenantId, placed.holdId)).toEqual([]);
  });
});
