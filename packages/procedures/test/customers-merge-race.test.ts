import { UpdateProfileRequest } from "@regulars/contracts";
import { updateProfile } from "@regulars/customers-store";
import type { Db, DbTx } from "@regulars/db";
import { newId } from "@regulars/ids";
import { customerStanding, customerSummary } from "@regulars/ledger-store";
import { raceWithHeldTransaction, testDatabaseUrl, testDb } from "@regulars/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { HOUR, inMs, tenantCallers } from "./helpers.ts";

// An admin's write addressed to a till's customer that looked "not merged" up just before the app account's merge of
// it committed must not land on the emptied row: it waits for the merge's lock on the customer, then follows to the
// survivor, as it would had it come a moment later.

let db: Db;
let t: Awaited<ReturnType<typeof tenantCallers>>;
const reason = "goodwill after a cold burger";
let phones = 0;

beforeAll(async () => {
  db = testDb();
  t = await tenantCallers(db, "Merge Race Grill");
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

/** A customer the tills know by phone, with 120 points, and an app account about to prove that phone. */
async function parties() {
  const phone = `+48608${String(++phones).padStart(6, "0")}`;
  const till = (await t.admin.customers.register({ phone, phoneVerified: true })).customer.id;
  await t.admin.customers.adjust({ customerId: till, amount: 120, reason: "points earned on paper cards" });
  const app = (
    await t.admin.customers.register({ externalIdentity: { provider: "google", subject: newId("request") } })
  ).customer.id;
  return { till, app, phone };
}

/**
 * The app account proves the till's phone in a transaction of its own, held open once the merge has locked both
 * customers and moved everything; `write` starts then, and the merge commits once `write` waits for its lock.
 */
function raceWithMerge<T>(app: string, phone: string, write: () => Promise<T>): Promise<T> {
  const merge = async (tx: DbTx) => {
    const update = UpdateProfileRequest.parse({ phone, phoneVerified: true });
    const { mergedCustomerIds } = await updateProfile(tx, t.tenantId, app, update, {
      actor: null,
      source: "app",
      now: new Date(),
    });
    expect(mergedCustomerIds).toHaveLength(1);
  };
  return raceWithHeldTransaction(testDatabaseUrl(), db, merge, write, "the write to wait for the merge");
}

describe("a write racing the merge of its customer", () => {
  it("an admin's points adjustment lands on the survivor, and the audit names it", async () => {
    const { till, app, phone } = await parties();

    const result = await raceWithMerge(app, phone, () =>
      t.admin.customers.adjust({ customerId: till, amount: 30, reason }),
    );

    expect(result).toMatchObject({ applied: true, balance: 150 });
    expect((await customerSummary(db, t.tenantId, app)).balances.points).toBe(150);
    expect((await customerSummary(db, t.tenantId, till)).balances.points).toBe(0);
    const [entry] = (await t.admin.audit.list({ limit: 1 })).items;
    expect(entry).toMatchObject({ action: "customers.adjust", target: app, details: { amount: 30, reason } });
  });

  it("an admin's consent change is recorded for the survivor, and the audit names it", async () => {
    const { till, app, phone } = await parties();

    await raceWithMerge(app, phone, () =>
      t.admin.customers.setConsents({
        customerId: till,
        consents: [{ channel: "sms", purpose: "marketing", granted: true }],
      }),
    );

    expect(await db.customerConsent.count({ where: { tenantId: t.tenantId, customerId: till } })).toBe(0);
    expect(await db.customerConsent.findMany({ where: { tenantId: t.tenantId, customerId: app } })).toContainEqual(
      expect.objectContaining({ channel: "sms", purpose: "marketing", granted: true }),
    );
    const [entry] = (await t.admin.audit.list({ limit: 1 })).items;
    expect(entry).toMatchObject({ action: "customers.setConsents", target: app });
  });

  it("an admin's tier floor is set on the survivor", async () => {
    const { till, app, phone } = await parties();

    await raceWithMerge(app, phone, () =>
      t.admin.customers.setTierFloor({ customerId: till, tier: "gold", until: inMs(30 * 24 * HOUR), reason }),
    );

    expect(await customerStanding(db, app)).toMatchObject({ tierFloor: "gold" });
    expect((await customerStanding(db, till))?.tierFloor ?? null).toBeNull();
  });

  it("an admin's profile change is made to the survivor", async () => {
    const { till, app, phone } = await parties();

    const update = await raceWithMerge(app, phone, () =>
      t.admin.customers.updateProfile({ customerId: till, name: "Ada Lovelace" }),
    );

    expect(update.customer.id).toBe(app);
    expect(await db.customer.findUniqueOrThrow({ where: { id: app } })).toMatchObject({ name: "Ada Lovelace" });
    expect((await db.customer.findUniqueOrThrow({ where: { id: till } })).name).toBeNull();
  });

  it("an admin's coupon issue goes into the survivor's wallet", async () => {
    const { till, app, phone } = await parties();
    const campaign = await t.admin.coupons.create({
      name: `Race fries ${phone}`,
      benefit: { kind: "percent_off", percent: 50, match: { skus: ["FRIES"] } },
      codes: { kind: "generic", code: `RACE${phone.slice(-6)}` },
    });

    const issued = await raceWithMerge(app, phone, () =>
      t.admin.coupons.issue({ id: campaign.id, customerId: till, issueKey: `race-${phone}` }),
    );

    expect(issued.customerId).toBe(app);
    expect(await db.walletCoupon.count({ where: { tenantId: t.tenantId, customerId: till } })).toBe(0);
    expect(await db.walletCoupon.count({ where: { tenantId: t.tenantId, customerId: app } })).toBe(1);
  });
});
