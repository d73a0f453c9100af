import { createCampaign as createCouponCampaign } from "@regulars/checkout-store";
import type { Db } from "@regulars/db";
import { newId } from "@regulars/ids";
import { localDate, startOfNextLocalDay } from "@regulars/rules";
import { testDb } from "@regulars/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ActiveCampaignCache, enrolFromEvent } from "../src/index.ts";
import { addCampaign, addCustomer, event, HOUR, runDueSteps, runnerTenant, stepsOf } from "./runner-fixtures.ts";

// A coupon's `expiresOn` (the message's `{{ coupon.expiresOn }}`) is the last day the tenant's tills take it, in the
// tenant's zone: its end is exclusive, and the UTC date of that instant is a day off on either side of the date line.

let db: Db;
let cache: ActiveCampaignCache;
beforeAll(() => {
  db = testDb();
  cache = new ActiveCampaignCache(db, 0);
});
afterAll(async () => {
  await db?.$disconnect();
});

const now = new Date();

/** The `expiresOn` a welcome campaign's coupon step records for a coupon ending at `validTo`. */
async function expiresOnFor(zone: string, validTo: Date): Promise<string | undefined> {
  const { tenantId } = await runnerTenant(db, zone);
  const coupon = await createCouponCampaign(
    db,
    tenantId,
    {
      name: "Free fries",
      benefit: { kind: "percent_off", percent: 50, match: { skus: ["FRIES"] } },
      codes: { kind: "generic", code: "FRIES" },
      conditions: { validTo: validTo.toISOString() },
    },
    "key_test_admin",
  );
  const campaignId = await addCampaign(db, tenantId, {
    audience: { kind: "none" },
    trigger: { type: "registered" },
    actions: [{ type: "issue_coupon", couponCampaignId: coupon.id }],
  });
  const customerId = await addCustomer(db, tenantId, { consents: ["email"] });
  await enrolFromEvent(
    db,
    cache,
    event({
      id: newId("event"),
      type: "customer.created",
      tenantId,
      customerId,
      occurredAt: now.toISOString(),
      via: "app",
      fields: [],
    }),
    now,
  );
  expect(await runDueSteps(db, tenantId, now)).toEqual(["done"]);
  const [step] = await stepsOf(db, campaignId);
  return (step?.result as { expiresOn?: string } | undefined)?.expiresOn;
}

describe("issued coupon's expiry date", () => {
  it("is the local day before a local midnight end (New York: UTC is already on the next date)", async () => {
    const zone = "America/New_York";
    const tomorrow = startOfNextLocalDay(now, zone);
    const validTo = startOfNextLocalDay(tomorrow, zone);
    expect(await expiresOnFor(zone, validTo)).toBe(localDate(tomorrow, zone));
  });

  it("is the local day of an end during the day (Tokyo 08:00: UTC is still on the day before)", async () => {
    const zone = "Asia/Tokyo";
    const day = startOfNextLocalDay(startOfNextLocalDay(now, zone), zone);
    // Tokyo keeps no summer time: 8 hours after its midnight is 08:00 there.
    const validTo = new Date(day.getTime() + 8 * HOUR);
    expect(await expiresOnFor(zone, validTo)).toBe(localDate(day, zone));
  });
});
