import { RegisterCustomerRequest } from "@regulars/contracts";
import type { Db } from "@regulars/db";
import { customerBalances, customerStanding, qualifyingValueNow } from "@regulars/ledger-store";
import { testDb } from "@regulars/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { registerCustomer } from "../src/index.ts";
import { applyAtTill, appOrigin, loyaltyTenant, tillMessage } from "./fixtures.ts";
import { mergeParties } from "./merge-fixtures.ts";

let db: Db;
const now = new Date();
const MINUTE = 60_000;

beforeAll(() => {
  db = testDb();
});
afterAll(async () => {
  await db?.$disconnect();
});

const { freshPhone, appAccount, provePhone, tillCustomer } = mergeParties(() => db, "+48605", now);
const levels = [
  { id: "bronze", name: "Bronze", threshold: 0 },
  { id: "silver", name: "Silver", threshold: 50 },
];

/**
 * A till's customer (30 points earned) merged into an account known by another proven phone only (20 earned), and
 * that account merged into an app account when the app account proves the first phone.
 */
async function mergedTwice(name: string) {
  const { tenantId } = await loyaltyTenant(db, name, {
    tiers: { basis: "points_earned", window: "rolling_12_months", levels },
  });
  const tillPhone = freshPhone();
  await applyAtTill(db, now, tillMessage(tenantId, { phone: tillPhone, total: 3_000 }, now));
  const till = await tillCustomer(tenantId, tillPhone);
  const registration = RegisterCustomerRequest.parse({ phone: freshPhone(), phoneVerified: true });
  const phoneOnly = (await registerCustomer(db, tenantId, registration, appOrigin(now))).customer.id;
  await applyAtTill(db, now, tillMessage(tenantId, { customerId: phoneOnly, total: 2_000 }, now, 9));
  expect((await provePhone(tenantId, phoneOnly, tillPhone)).mergedCustomerIds).toEqual([till]);
  const app = await appAccount(tenantId);
  expect((await provePhone(tenantId, app, tillPhone)).mergedCustomerIds).toEqual([phoneOnly]);
  return { tenantId, tillPhone, till, phoneOnly, app };
}

describe("a customer merged twice", () => {
  it("counts for the last survivor's tier with everything it earned, whatever the window", async () => {
    const { tenantId, tillPhone, till, phoneOnly, app } = await mergedTwice("Merged Twice Tier");
    // Read as of the first sale (windows are open-ended): a calendar year that began between the sales would
    // not hold them all.
    const firstSale = new Date(now.getTime() - 10 * MINUTE);
    const earned = (window: "rolling_12_months" | "calendar_year") =>
      qualifyingValueNow(db, tenantId, app, { basis: "points_earned", window }, "Europe/Warsaw", firstSale);
    expect(await earned("rolling_12_months")).toBe(50);
    expect(await earned("calendar_year")).toBe(50);

    // The next sale takes the app account over the silver threshold on the points of all three.
    await applyAtTill(db, now, tillMessage(tenantId, { phone: tillPhone, total: 500 }, now, 1));
    expect(await customerStanding(db, app)).toMatchObject({ tier: "silver" });
    expect((await customerBalances(db, tenantId, app)).points).toBe(55);

    // Each merge names the last survivor; the first keeps whom it moved the rows into when it was made.
    const merges = await db.customerMerge.findMany({ where: { tenantId }, orderBy: { mergedAt: "asc" } });
    expect(merges.map((m) => [m.mergedId, m.intoId, m.originalIntoId])).toEqual(
      expect.arrayContaining([
        [till, app, phoneOnly],
        [phoneOnly, app, null],
      ]),
    );
    expect(merges).toHaveLength(2);
  });

  it("merges into the last survivor, not the account that was merged away, when that account's id proves a phone", async () => {
    const { tenantId, phoneOnly, app } = await mergedTwice("Merged Away Target");
    const otherPhone = freshPhone();
    await applyAtTill(db, now, tillMessage(tenantId, { phone: otherPhone, total: 1_200 }, now));
    const other = await tillCustomer(tenantId, otherPhone);

    // A write by a merged-away id follows to the account the person uses, as every write does (`lockSurvivor`).
    const update = await provePhone(tenantId, phoneOnly, otherPhone);
    expect(update).toMatchObject({ mergedCustomerIds: [other], customer: { id: app } });
    expect(await db.customerIdentity.findFirstOrThrow({ where: { tenantId, value: otherPhone } })).toMatchObject({
      customerId: app,
    });
    expect((await customerBalances(db, tenantId, other)).points).toBe(0);
    expect((await customerBalances(db, tenantId, phoneOnly)).points).toBe(0);
    expect((await db.customerMerge.findUniqueOrThrow({ where: { mergedId: other } })).intoId).toBe(app);
  });
});
