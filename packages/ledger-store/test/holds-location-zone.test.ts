import { type Db, withTransaction } from "@regulars/db";
import { ProgrammeCache } from "@regulars/programme";
import { localDate } from "@regulars/rules";
import { testDb } from "@regulars/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { commitSaleCheckout } from "../src/holds/commit.ts";
import { placeHold, quoteCheckout, transactionStatus } from "../src/index.ts";
import { txMessage } from "./batch-fixtures.ts";
import { apply, basket, checkoutTenant, genericCoupon } from "./checkout-fixtures.ts";

// A tenant in Warsaw with a till in New York: coupon weekdays are judged on the till's clock, per-day limits on the
// tenant's day.

let db: Db;
beforeAll(() => {
  db = testDb();
});
afterAll(async () => {
  await db?.$disconnect();
});

const TENANT_ZONE = "Europe/Warsaw";
const TILL_ZONE = "America/New_York";
const NY_TILL = "ny-till";
const PLAIN_TILL = "store-001";

const isoWeekday = (at: Date, timeZone: string): number =>
  ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"].indexOf(
    new Intl.DateTimeFormat("en-GB", { timeZone, weekday: "short" }).format(at),
  ) + 1;

/** The latest whole hour of the last 30 days at which New York and Warsaw are on different weekdays. */
function instantOfTwoWeekdays(): Date {
  const hour = 3_600_000;
  const start = Math.floor(Date.now() / hour) * hour - hour;
  for (let t = start; t > Date.now() - 30 * 24 * hour; t -= hour)
    if (isoWeekday(new Date(t), TILL_ZONE) !== isoWeekday(new Date(t), TENANT_ZONE)) return new Date(t);
  throw new Error("no hour of the last 30 days has two weekdays");
}

/** The checkout tenant, in Warsaw, with one location set to New York (as `setLocation` writes it). */
async function tenantWithNewYorkTill() {
  const setup = await checkoutTenant(db);
  await db.$executeRaw`UPDATE tenants SET timezone = ${TENANT_ZONE} WHERE id = ${setup.tenantId}`;
  await db.$executeRaw`
    INSERT INTO locations (tenant_id, id, name, timezone) VALUES (${setup.tenantId}, ${NY_TILL}, 'Manhattan', ${TILL_ZONE})`;
  const at = instantOfTwoWeekdays();
  await genericCoupon(db, setup.tenantId, "NY-DAY", {
    benefit: { kind: "fixed_off", amount: 300 },
    conditions: { weekdays: [isoWeekday(at, TILL_ZONE)] },
  });
  return { ...setup, at };
}

const quoteAt = (locationId: string) => ({
  customer: null,
  basket: { ...basket(), locationId },
  couponCodes: ["NY-DAY"],
  rewardIds: [],
  points: 0,
  wallet: 0,
});

const couponOf = (quote: Awaited<ReturnType<typeof quoteCheckout>>) => ({
  applied: quote.applied.filter((a) => a.source === "coupon").map((a) => a.ref),
  refusal: quote.coupons.find((c) => c.code === "NY-DAY")?.refusal?.code ?? null,
});

describe("a coupon for one weekday, at a till in another zone than the tenant's", () => {
  it("is quoted and held on the till's weekday, its use counted on the tenant's day", async () => {
    const { tenantId, deps, at } = await tenantWithNewYorkTill();
    const atThen = { ...deps, now: () => at };

    expect(couponOf(await quoteCheckout(atThen, tenantId, quoteAt(NY_TILL)))).toEqual({
      applied: ["NY-DAY"],
      refusal: null,
    });
    expect(couponOf(await quoteCheckout(atThen, tenantId, quoteAt(PLAIN_TILL)))).toEqual({
      applied: [],
      refusal: "wrong_day",
    });

    const held = await placeHold(atThen, tenantId, { ...quoteAt(NY_TILL), ttlSeconds: 900 });
    expect(held.quote.applied.map((a) => a.ref)).toEqual(["NY-DAY"]);
    const [use] = await db.$queryRaw<{ day: string }[]>`
      SELECT local_day::text AS day FROM coupon_uses WHERE hold_id = ${held.holdId}`;
    expect(use?.day).toBe(localDate(at.toISOString(), TENANT_ZONE));
  });

  it("posted on a sale without a hold, is counted on the weekday of the sale's location", async () => {
    const { tenantId, at } = await tenantWithNewYorkTill();
    // The programme as the batch reads it for a sale at that till (`inForce` with the sale's location).
    const programme = await new ProgrammeCache(db, 0).inForce(tenantId, at, NY_TILL);
    const message = txMessage(
      tenantId,
      { occurredAt: at.toISOString(), locationId: NY_TILL, couponCodes: ["NY-DAY"], lines: basket().lines },
      new Date(at.getTime() + 60_000),
    );
    const out = await withTransaction(db, (tx) =>
      commitSaleCheckout(tx, { message, customerId: null, programme: programme! }),
    );
    expect(out.couponCodes).toEqual([{ code: "NY-DAY", counted: true, refusal: null }]);
    expect(out.uses).toHaveLength(1);
  });

  // Needs apply-batch to read the programme with the sale's location (`inForce(..., m.transaction.locationId)`).
  it("posted through the batch, is counted at the New York till and refused at a till of the tenant's zone", async () => {
    const { tenantId, at } = await tenantWithNewYorkTill();
    const sale = (locationId: string) =>
      txMessage(
        tenantId,
        { occurredAt: at.toISOString(), locationId, couponCodes: ["NY-DAY"], lines: basket().lines },
        new Date(at.getTime() + 60_000),
      );
    const [inNewYork, atHome] = [sale(NY_TILL), sale(PLAIN_TILL)];
    await apply(db, [inNewYork, atHome]);
    const codes = async (m: typeof inNewYork) => {
      const status = await transactionStatus(db, tenantId, m.transaction.externalId);
      return status?.status === "processed" ? status.couponCodes : status?.status;
    };
    expect(await codes(inNewYork)).toEqual([{ code: "NY-DAY", counted: true, refusal: null }]);
    expect(await codes(atHome)).toEqual([
      { code: "NY-DAY", counted: false, refusal: { code: "wrong_day", message: expect.any(String) } },
    ]);
  });
});
