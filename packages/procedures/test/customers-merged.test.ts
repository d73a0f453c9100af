import type { Db } from "@regulars/db";
import { newId } from "@regulars/ids";
import { customerSummary } from "@regulars/ledger-store";
import { testDb } from "@regulars/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { failure, HOUR, inMs, issuesOf, tenantCallers } from "./helpers.ts";

// A till's customer merged into the app account that proved its phone keeps its row and id, emptied. An admin who
// reaches it by that id (an old receipt, a support ticket) must see and change the account the person uses.

let db: Db;
let t: Awaited<ReturnType<typeof tenantCallers>>;
const reason = "goodwill after a cold burger";
let phones = 0;

beforeAll(async () => {
  db = testDb();
  t = await tenantCallers(db, "Merged Grill");
  await t.admin.programme.tiers.set({
    tiers: {
      basis: "points_earned",
      window: "calendar_year",
      levels: [
        { id: "bronze", name: "Bronze", threshold: 0 },
        { id: "gold", name: "Gold", threshold: 500 },
      ],
    },
  });
});
afterAll(async () => {
  await db?.$disconnect();
});

/** A customer the tills know by phone, with 120 points, then merged into an app account proving that phone. */
async function mergedPair() {
  const phone = `+48607${String(++phones).padStart(6, "0")}`;
  const till = (await t.admin.customers.register({ phone, phoneVerified: true })).customer.id;
  await t.admin.customers.adjust({ customerId: till, amount: 120, reason: "points earned on paper cards" });
  const app = (
    await t.admin.customers.register({ externalIdentity: { provider: "google", subject: newId("request") } })
  ).customer.id;
  const update = await t.admin.customers.updateProfile({ customerId: app, phone, phoneVerified: true });
  expect(update.mergedCustomerIds).toEqual([till]);
  return { till, app, phone };
}

describe("a merged-away customer id", () => {
  it("customers.get answers the survivor, saying which id was asked for", async () => {
    const { till, app, phone } = await mergedPair();

    const view = await t.admin.customers.get({ id: till });
    expect(view).toMatchObject({ view: "admin", id: app, mergedFrom: till, phone, points: { balance: 120 } });
    if (view.view !== "admin") throw new Error("an admin key reads the admin view");
    expect(view.identities).toContainEqual({ kind: "phone", value: phone });
    expect(await t.admin.customers.get({ id: app })).toMatchObject({ id: app, mergedFrom: null });
    expect(await t.kiosk.customers.get({ id: till })).toMatchObject({
      view: "till",
      id: app,
      points: { balance: 120 },
    });
  });

  it("an adjustment lands on the survivor's balance, and the audit names the survivor", async () => {
    const { till, app } = await mergedPair();

    await t.admin.customers.adjust({ customerId: till, amount: 30, reason });

    expect((await customerSummary(db, t.tenantId, app)).balances.points).toBe(150);
    expect((await customerSummary(db, t.tenantId, till)).balances.points).toBe(0);
    const [entry] = (await t.admin.audit.list({ limit: 1 })).items;
    expect(entry).toMatchObject({ action: "customers.adjust", target: app, details: { amount: 30, reason } });
    const ledger = await t.admin.customers.ledger({ customerId: till });
    expect(ledger.items[0]).toMatchObject({ kind: "adjust", amount: 30, reason });
  });

  it("a tier floor and consents are set on, and read from, the survivor", async () => {
    const { till, app } = await mergedPair();

    await t.admin.customers.setTierFloor({ customerId: till, tier: "gold", until: inMs(30 * 24 * HOUR), reason });
    expect(await t.admin.customers.get({ id: app })).toMatchObject({
      tier: { id: "gold" },
      tierFloor: { tier: "gold" },
    });
    expect(await t.admin.customers.tier({ customerId: till })).toMatchObject({ tier: { id: "gold" } });

    await t.admin.customers.setConsents({
      customerId: till,
      consents: [{ channel: "sms", purpose: "marketing", granted: true }],
    });
    const history = await t.admin.customers.consentHistory({ customerId: app });
    expect(history.items).toContainEqual(expect.objectContaining({ channel: "sms", granted: true }));
    expect((await t.admin.customers.consentHistory({ customerId: till })).items).toEqual(history.items);

    const [latest] = (await t.admin.audit.list({ limit: 1 })).items;
    expect(latest).toMatchObject({ action: "customers.setConsents", target: app });
  });

  it("a coupon issued to it lands in the survivor's wallet, which its wallet lists", async () => {
    const { till, app } = await mergedPair();
    const benefit = { kind: "percent_off" as const, percent: 50, match: { skus: ["FRIES"] } };
    const campaign = await t.admin.coupons.create({
      name: `Sorry fries ${phones}`,
      benefit,
      codes: { kind: "unique", pattern: "SORRY-XXXXXXX" },
    });

    const issued = await t.admin.coupons.issue({ id: campaign.id, customerId: till });

    expect((await t.admin.coupons.wallet({ customerId: app })).map((w) => w.id)).toEqual([issued.id]);
    expect((await t.admin.coupons.wallet({ customerId: till })).map((w) => w.id)).toEqual([issued.id]);
  });

  it("a checkout quote by it reads the survivor's points and wallet coupons, as the hold does", async () => {
    const { till, app } = await mergedPair();
    await t.admin.programme.redemption.set({ redemption: { points: 100, value: 500, minPoints: 0, step: 1 } });
    const campaign = await t.admin.coupons.create({
      name: `Welcome back fries ${phones}`,
      benefit: { kind: "percent_off", percent: 50, match: { skus: ["FRIES"] } },
      codes: { kind: "unique", pattern: "BACK-XXXXXXX" },
    });
    const issued = await t.admin.coupons.issue({ id: campaign.id, customerId: app });
    const basket = {
      locationId: "store-001",
      channel: "kiosk" as const,
      currency: "EUR",
      lines: [{ sku: "FRIES", name: "Fries", quantity: 1, unitPrice: 2000, discount: 0, tags: [] }],
    };

    const quote = await t.kiosk.checkout.quote({ customer: { id: till }, basket, points: 100 });

    expect(quote.points).toMatchObject({ balance: 120, applied: 100, refusal: null });
    expect(quote.coupons.map((c) => c.code)).toEqual([issued.code]);
    const held = await t.kiosk.checkout.hold({ customer: { id: till }, basket, points: 100 });
    expect(held.quote.points).toMatchObject({ balance: 120, applied: 100 });
    expect(await t.kiosk.checkout.getHold({ holdId: held.holdId })).toMatchObject({ customerId: app });
    const after = await t.kiosk.checkout.quote({ customer: { id: till }, basket });
    expect(after.points).toMatchObject({ balance: 120, held: 100, spendable: 20 });
  });

  it("privacy.erase refuses it, naming the account to erase (which erases both)", async () => {
    const { till, app } = await mergedPair();

    const refused = await failure(t.admin.privacy.erase({ customerId: till, confirmCustomerId: till }));
    expect(refused.code).toBe("CONFLICT");
    expect(issuesOf(refused)).toEqual([{ path: "customerId", message: expect.stringContaining(app) }]);
    expect((await db.customer.findUniqueOrThrow({ where: { id: app } })).erasedAt).toBeNull();
  });
});
