import type { Db } from "@regulars/db";
import { testDb } from "@regulars/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { scanClockTriggers } from "../src/index.ts";
import { addCampaign, addCustomer, DAY, enrolmentsOf, HOUR, later, runnerTenant } from "./runner-fixtures.ts";

// Birthdays are due on a local day: a day no scan ran on (an outage, a deploy, the tenant's job failing all day) is
// scanned late by the next pass, within a week and never before the campaign was active. Dates are the tenant's local
// dates counted from today's, so the tests hold on any day (across DST and New Year too).

let db: Db;
beforeAll(() => {
  db = testDb();
});
afterAll(async () => {
  await db?.$disconnect();
});

const ZONE = "Europe/Warsaw";
const now = new Date();
const localDate = (at: Date) =>
  new Intl.DateTimeFormat("en-CA", { timeZone: ZONE, year: "numeric", month: "2-digit", day: "2-digit" }).format(at);
/** The tenant's local date `offset` calendar days from today's. */
const localDay = (offset: number) => {
  const [year, month, day] = localDate(now).split("-").map(Number);
  return new Date(Date.UTC(year!, month! - 1, day! + offset)).toISOString().slice(0, 10);
};
/** Born in a leap year on that day's month and day, so 29 February is a date of birth too. */
const bornOn = (day: string) => `1988${day.slice(4)}`;

const birthdayCampaign = (tenantId: string, daysBefore: number, startedAt: Date | null = null) =>
  addCampaign(
    db,
    tenantId,
    {
      audience: { kind: "none" },
      trigger: { type: "birthday", daysBefore },
      actions: [{ type: "award_points", points: 20, reason: "Happy birthday" }],
      limits: { perCustomer: { mode: "repeatable", minGapHours: 0 } },
    },
    { startedAt },
  );

const greeted = async (campaignId: string) =>
  (await enrolmentsOf(db, campaignId)).map((e) => [e.customerId, e.occurrence]).sort();

describe("the daily scan after days it did not run", () => {
  it("a birthday on a day the scan did not run is greeted once on the next pass", async () => {
    const { tenantId } = await runnerTenant(db, ZONE);
    const yesterdays = await addCustomer(db, tenantId, { dateOfBirth: bornOn(localDay(-1)) });
    // Three days ahead: due yesterday (its birthday in two days) and today (in three).
    const dueYesterday = await addCustomer(db, tenantId, { dateOfBirth: bornOn(localDay(2)) });
    const dueToday = await addCustomer(db, tenantId, { dateOfBirth: bornOn(localDay(3)) });
    const onTheDay = await birthdayCampaign(tenantId, 0);
    const ahead = await birthdayCampaign(tenantId, 3);
    const ctx = { db, tenantId, zone: ZONE, now, chunkSize: 2 };

    // The scan two days ago found nobody; yesterday none ran.
    expect((await scanClockTriggers({ ...ctx, now: later(now, -2 * DAY) })).acted).toBe(0);
    expect((await scanClockTriggers(ctx)).acted).toBe(3);
    expect((await scanClockTriggers({ ...ctx, now: later(now, HOUR) })).acted).toBe(0);

    expect(await greeted(onTheDay)).toEqual([[yesterdays, `birthday:${localDay(-1).slice(0, 4)}`]]);
    expect(await greeted(ahead)).toEqual(
      [
        [dueYesterday, `birthday:${localDay(2).slice(0, 4)}`],
        [dueToday, `birthday:${localDay(3).slice(0, 4)}`],
      ].sort(),
    );
    // Late, dated when it was due: local midnight of yesterday.
    const [late] = await enrolmentsOf(db, onTheDay);
    expect(localDate(late!.occurredAt)).toBe(localDay(-1));
    expect(localDate(later(late!.occurredAt, -1))).toBe(localDay(-2));
  });

  it("a new campaign does not greet birthdays from before it existed", async () => {
    const { tenantId } = await runnerTenant(db, ZONE);
    const born = new Map<number, string>();
    for (const offset of [-7, -6, -5, -1, 0])
      born.set(offset, await addCustomer(db, tenantId, { dateOfBirth: bornOn(localDay(offset)) }));
    const createdNow = await birthdayCampaign(tenantId, 0, now);
    const threeDaysOld = await birthdayCampaign(tenantId, 0, later(now, -3 * DAY));
    // Active for a month and never scanned: only the last week's birthdays, today's included.
    const monthOld = await birthdayCampaign(tenantId, 0, later(now, -30 * DAY));

    expect((await scanClockTriggers({ db, tenantId, zone: ZONE, now, chunkSize: 2 })).acted).toBe(7);
    const customers = async (campaignId: string) =>
      (await enrolmentsOf(db, campaignId)).map((e) => e.customerId).sort();
    expect(await customers(createdNow)).toEqual([born.get(0)]);
    expect(await customers(threeDaysOld)).toEqual([born.get(-1), born.get(0)].sort());
    expect(await customers(monthOld)).toEqual([born.get(-6), born.get(-5), born.get(-1), born.get(0)].sort());
  });

  it("a missed day scanned late greets only who was a customer by its end", async () => {
    const { tenantId } = await runnerTenant(db, ZONE);
    // Midday UTC of a local date is that date in Warsaw too, and in the past for any day before today.
    const middayOf = (offset: number) => new Date(`${localDay(offset)}T12:00:00Z`);
    const birthdayOn = (offset: number, createdAt: Date) =>
      addCustomer(db, tenantId, { dateOfBirth: bornOn(localDay(offset)), createdAt });
    const thereOnTheDay = await birthdayOn(-2, middayOf(-2));
    await birthdayOn(-2, middayOf(-1)); // joined the day after its birthday's
    await birthdayOn(-1, now); // joined today, the day after its birthday's
    const thereYesterday = await birthdayOn(-1, middayOf(-1));
    const todays = await birthdayOn(0, now);
    const greet = await birthdayCampaign(tenantId, 0, later(now, -30 * DAY));
    const ctx = { db, tenantId, zone: ZONE, now, chunkSize: 2 };

    // The scan three days ago ran; the two after it did not.
    expect((await scanClockTriggers({ ...ctx, now: middayOf(-3) })).acted).toBe(0);
    expect((await scanClockTriggers(ctx)).acted).toBe(3);
    // Who joined after their birthday's day is no customer its scan missed: their birthday comes next year.
    expect(await greeted(greet)).toEqual(
      [
        [thereOnTheDay, `birthday:${localDay(-2).slice(0, 4)}`],
        [thereYesterday, `birthday:${localDay(-1).slice(0, 4)}`],
        [todays, `birthday:${localDay(0).slice(0, 4)}`],
      ].sort(),
    );
  });

  it("running the catch-up twice greets once", async () => {
    const { tenantId } = await runnerTenant(db, ZONE);
    const yesterdays = await addCustomer(db, tenantId, { dateOfBirth: bornOn(localDay(-1)) });
    const greet = await birthdayCampaign(tenantId, 0, later(now, -3 * DAY));
    const ctx = { db, tenantId, zone: ZONE, now, chunkSize: 2 };
    expect((await scanClockTriggers(ctx)).acted).toBe(1);
    // A second instance that read no mark, or a mark lost: the days are scanned again and greet nobody twice.
    await db.$executeRaw`DELETE FROM job_marks WHERE tenant_id = ${tenantId}`;
    expect((await scanClockTriggers(ctx)).acted).toBe(0);
    expect(await greeted(greet)).toEqual([[yesterdays, `birthday:${localDay(-1).slice(0, 4)}`]]);
  });
});
