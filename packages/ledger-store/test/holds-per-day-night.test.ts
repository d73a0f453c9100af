import type { Db } from "@regulars/db";
import { instantOfWallClock, wallClock } from "@regulars/rules";
import { testDb } from "@regulars/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { placeHold, quoteCheckout, transactionStatus } from "../src/index.ts";
import { txMessage } from "./batch-fixtures.ts";
import { apply, basket, checkoutTenant, genericCoupon, holdRequest } from "./checkout-fixtures.ts";

// A coupon's per-day limit counts one night past midnight once: uses at 23:00 and at 01:00 are the same night's.

let db: Db;
beforeAll(() => {
  db = testDb();
});
afterAll(async () => {
  await db?.$disconnect();
});

const WARSAW = "Europe/Warsaw";
const FRIDAY = 5;

/**
 * A Warsaw wall time on the Friday 7 to 13 days before today, or `daysLater` after it: relative to now, and only at
 * hours (22:00-01:59) that exist once every night of the year, daylight-saving changes being at 02:00-03:00.
 */
function lastWeeksFriday(hhmm: string, daysLater = 0): Date {
  const today = wallClock(Date.now(), WARSAW);
  const todayUtc = Date.UTC(today.year, today.month - 1, today.day);
  const weekday = new Date(todayUtc).getUTCDay() || 7;
  const friday = new Date(todayUtc - (((weekday - FRIDAY + 7) % 7) + 7 - daysLater) * 86_400_000);
  const [hour, minute] = hhmm.split(":").map(Number) as [number, number];
  const date = { year: friday.getUTCFullYear(), month: friday.getUTCMonth() + 1, day: friday.getUTCDate() };
  return new Date(instantOfWallClock({ ...date, hour, minute, second: 0, millisecond: 0 }, WARSAW));
}

const fridayAt = (hhmm: string) => lastWeeksFriday(hhmm);
const saturdayAt = (hhmm: string) => lastWeeksFriday(hhmm, 1);
const dateOf = (at: Date) => new Intl.DateTimeFormat("en-CA", { timeZone: WARSAW }).format(at);

async function warsawTenant(customers: number) {
  const setup = await checkoutTenant(db, customers);
  await db.$executeRaw`UPDATE tenants SET timezone = ${WARSAW} WHERE id = ${setup.tenantId}`;
  return setup;
}

const nightCoupon = (weekdays: number[], limits: Record<string, unknown> = { perDay: 1 }) => ({
  benefit: { kind: "percent_off", percent: 10 },
  conditions: { weekdays, hours: { from: "22:00", to: "02:00" } },
  limits,
});

type Setup = Awaited<ReturnType<typeof warsawTenant>>;

/** Long enough to last the night: a hold past its expiry reserves nothing, and its use would not count. */
const ALL_NIGHT = 6 * 3600;

/** Holds the code for `customerId` at `at`: "held", or the refusal's code. */
async function holdAt({ tenantId, deps }: Setup, at: Date, customerId: string, code: string): Promise<string> {
  try {
    await placeHold(
      { ...deps, now: () => at },
      tenantId,
      holdRequest(customerId, { couponCodes: [code], ttlSeconds: ALL_NIGHT }),
    );
    return "held";
  } catch (e) {
    const issues = (e as { issues?: { message: string }[] }).issues;
    if (!issues?.length) throw e;
    return issues[0]!.message.split(":")[0]!;
  }
}

const usesOn = (campaignId: string) =>
  db.$queryRaw<{ day: string; n: bigint }[]>`
    SELECT local_day::text AS day, count(*) AS n FROM coupon_uses WHERE campaign_id = ${campaignId}
    GROUP BY local_day ORDER BY local_day`;

describe("a coupon's per-day limit over hours past midnight", () => {
  it("counts a night once: a use at Friday 23:00 leaves none for Saturday 01:00", async () => {
    const setup = await warsawTenant(3);
    const [a, b, c] = setup.customers as [string, string, string];
    const campaign = await genericCoupon(db, setup.tenantId, "LATE1", nightCoupon([FRIDAY]));

    expect(await holdAt(setup, fridayAt("23:00"), a, "LATE1")).toBe("held");
    expect(await holdAt(setup, fridayAt("23:05"), b, "LATE1")).toBe("daily_limit_reached");
    expect(await holdAt(setup, saturdayAt("01:00"), c, "LATE1")).toBe("daily_limit_reached");
    const quote = await quoteCheckout({ ...setup.deps, now: () => saturdayAt("01:00") }, setup.tenantId, {
      ...holdRequest(c, { couponCodes: ["LATE1"] }),
    });
    expect(quote.coupons.find((q) => q.code === "LATE1")?.refusal?.code).toBe("daily_limit_reached");
    expect(await usesOn(campaign)).toEqual([{ day: dateOf(fridayAt("12:00")), n: 1n }]);
  });

  it("counts a use after midnight for the night's date, so the limit is spent before 23:00 comes round", async () => {
    const setup = await warsawTenant(2);
    const [a, b] = setup.customers as [string, string];
    const campaign = await genericCoupon(db, setup.tenantId, "LATE2", nightCoupon([FRIDAY, 6], { perDay: 1 }));

    expect(await holdAt(setup, saturdayAt("01:00"), a, "LATE2")).toBe("held");
    expect(await usesOn(campaign)).toEqual([{ day: dateOf(fridayAt("12:00")), n: 1n }]);
    // Saturday's own night is a new day for the limit.
    expect(await holdAt(setup, saturdayAt("23:00"), b, "LATE2")).toBe("held");
  });

  it("counts a code posted on a sale without a hold on the night's date too", async () => {
    const setup = await warsawTenant(2);
    const [a, b] = setup.customers as [string, string];
    await genericCoupon(db, setup.tenantId, "LATE3", nightCoupon([FRIDAY]));
    expect(await holdAt(setup, fridayAt("23:00"), a, "LATE3")).toBe("held");

    const at = saturdayAt("01:00");
    const sale = txMessage(
      setup.tenantId,
      { customer: { id: b }, couponCodes: ["LATE3"], lines: basket().lines, occurredAt: at.toISOString() },
      new Date(at.getTime() + 60_000),
    );
    await apply(db, [sale]);
    const status = await transactionStatus(db, setup.tenantId, sale.transaction.externalId);
    expect(status?.status === "processed" && status.couponCodes).toEqual([
      { code: "LATE3", counted: false, refusal: { code: "daily_limit_reached", message: expect.any(String) } },
    ]);
  });

  it("leaves a coupon without hours past midnight on the calendar day", async () => {
    const setup = await warsawTenant(2);
    const [a, b] = setup.customers as [string, string];
    await genericCoupon(db, setup.tenantId, "DAILY", {
      benefit: { kind: "percent_off", percent: 10 },
      limits: { perDay: 1 },
    });
    expect(await holdAt(setup, fridayAt("23:00"), a, "DAILY")).toBe("held");
    expect(await holdAt(setup, saturdayAt("01:00"), b, "DAILY")).toBe("held");
  });
});
