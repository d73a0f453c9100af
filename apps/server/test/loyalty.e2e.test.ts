import { asAdminView } from "@regulars/api-client";
import { createDb, type Db } from "@regulars/db";
import { findBalanceDrift } from "@regulars/ledger-store";
import { createLogger } from "@regulars/logger";
import { ProgrammeCache } from "@regulars/programme";
import type { CreatedTenant } from "@regulars/tenancy";
import {
  addDays,
  baseYear,
  eventually,
  firstWeekdayOfMonth,
  futureDatesAccepted,
  saleBody,
  testDatabaseUrl,
  testTenant,
} from "@regulars/testing";
import { runScheduledJobs } from "@regulars/workers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { domainEvents } from "./domain-events.ts";
import { startTestSystem, type TestSystem } from "./system-fixture.ts";

let system: TestSystem;
let db: Db;

beforeAll(async () => {
  system = await startTestSystem({ JOBS_INTERVAL_MS: "3600000", ...futureDatesAccepted });
  db = createDb({ url: testDatabaseUrl(), poolSize: 2 });
});
afterAll(async () => {
  await system?.dispose();
  await db?.$disconnect();
});

// Calendar days of next year (always ahead, so the versions configured now are in force for them):
// the first Tuesday of December and the day after, at noon in Warsaw. The year is read once: a run that crosses
// 1 January would otherwise date some sales a year after the others.
const YEAR = baseYear();
/** `MM-DDThh:mm:ss±hh:mm` of the year `years` after YEAR. */
const inYear = (years: number, monthDayTime: string) => `${YEAR + years}-${monthDayTime}`;
const DAY = firstWeekdayOfMonth(YEAR, 12, 2);
const dd = (d: number) => String(d).padStart(2, "0");
const TUESDAY = inYear(0, `12-${dd(DAY)}T12:00:00+01:00`);
const WEDNESDAY = inYear(0, `12-${dd(DAY + 1)}T12:00:00+01:00`);
/** The same day of the month as WEDNESDAY, `years` later, at `time` (UTC). */
const wednesdayDay = (years: number, month: string, time: string) => inYear(years, `${month}-${dd(DAY + 1)}T${time}`);

/** The calendar day (at 00:00 UTC) of the first `isoWeekday` (1 = Monday) at least two days from now. */
function nextWeekday(isoWeekday: number): Date {
  const day = new Date(Date.now() + 2 * 86_400_000);
  day.setUTCHours(0, 0, 0, 0);
  while ((day.getUTCDay() || 7) !== isoWeekday) day.setUTCDate(day.getUTCDate() + 1);
  return day;
}
const warsawClock = new Intl.DateTimeFormat("en-CA", {
  timeZone: "Europe/Warsaw",
  year: "numeric",
  month: "2-digit",
  day: "2-digit",
  hour: "2-digit",
  minute: "2-digit",
  hourCycle: "h23",
});
/** The instant it is `hour:minute` in Warsaw on calendar day `day`, in winter (+01:00) or summer (+02:00) time. */
function inWarsaw(day: Date, hour: number, minute: number): string {
  const [y, m, d] = [day.getUTCFullYear(), day.getUTCMonth(), day.getUTCDate()];
  for (const offset of [1, 2]) {
    const instant = new Date(Date.UTC(y, m, d, hour - offset, minute));
    if (warsawClock.format(instant) === `${y}-${dd(m + 1)}-${dd(d)}, ${dd(hour)}:${dd(minute)}`)
      return instant.toISOString();
  }
  throw new Error(`no ${hour}:${minute} in Warsaw on ${day.toISOString()}`);
}
const line = (sku: string, unitPrice: number, extra: Record<string, unknown> = {}) => ({
  sku,
  name: sku,
  quantity: 1,
  unitPrice,
  discount: 0,
  tags: [],
  ...extra,
});

async function post(tenant: CreatedTenant, body: Record<string, unknown>) {
  const res = await system.post("/v1/transactions", tenant.apiKeys.pos, body);
  expect(res.status).toBe(202);
  return system.processed(tenant.apiKeys.admin, body.externalId as string);
}
const customer = (tenant: CreatedTenant, phone: string) =>
  system.client(tenant.apiKeys.admin).customers.get.query({ phone }).then(asAdminView);
/**
 * One pass of the scheduled jobs as of `now`, for this file's tenants only (other test files share the
 * database, and a pass dated a year ahead would act on their customers too); waits its turn if another
 * system's scheduler holds the lock.
 */
const myTenants: string[] = [];
async function jobs(now: string) {
  for (;;) {
    const done = await runScheduledJobs(
      { db, bus: system.bus, log: createLogger({ level: "silent" }), programmes: new ProgrammeCache(db, 0) },
      new Date(now),
      { tenantIds: myTenants },
    );
    if (done) return done;
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe("earning rules configured over tRPC apply to transactions posted through the gateway", () => {
  let tenant: CreatedTenant;
  beforeAll(async () => {
    tenant = await testTenant(db, "Rules Burgers");
    const admin = system.client(tenant.apiKeys.admin);
    await admin.programme.rules.upsert.mutate({
      rule: { id: "double-tuesday", type: "multiplier", factor: 2, weekdays: [2] } as never,
    });
    await admin.programme.rules.upsert.mutate({
      rule: { id: "new-dishes", type: "multiplier", factor: 3, products: { tags: ["new"] } } as never,
    });
    await admin.programme.rules.upsert.mutate({
      rule: { id: "birthday", type: "multiplier", factor: 5, birthday: true } as never,
    });
    await admin.programme.rules.upsert.mutate({
      rule: { id: "no-alcohol", type: "exclusion", match: { categories: ["alcohol"] } } as never,
    });
  });

  it("double points on Tuesday, 3× on new dishes (highest wins), alcohol excluded, with the explanation stored", async () => {
    const tx = await post(
      tenant,
      saleBody({
        occurredAt: TUESDAY,
        customer: { phone: "+48601000001" },
        lines: [
          line("BURGER", 1000),
          line("BEER", 500, { category: "alcohol" }),
          line("VEGGIE", 1000, { tags: ["new"] }),
        ],
      }),
    );
    expect(tx.pointsAwarded).toBe(20 + 0 + 30);
    const explanation = tx.explanation as {
      lines: { lineNo: number; eligible: boolean; multiplier: number; excludedBy: string | null }[];
    };
    expect(explanation.lines.map((l) => [l.eligible, l.multiplier])).toEqual([
      [true, 2],
      [false, expect.any(Number)],
      [true, 3],
    ]);
    expect(explanation.lines[1]!.excludedBy).toBe("no-alcohol");
    expect(tx.programmeVersion).toBe(5);
  });

  it("the same basket on a Wednesday earns the base rate (and 3× on the new dish)", async () => {
    const tx = await post(
      tenant,
      saleBody({
        occurredAt: WEDNESDAY,
        customer: { phone: "+48601000001" },
        lines: [line("BURGER", 1000), line("VEGGIE", 1000, { tags: ["new"] })],
      }),
    );
    expect(tx.pointsAwarded).toBe(10 + 30);
  });

  it("5× on the customer's birthday in the tenant's time zone", async () => {
    const c = await customer(tenant, "+48601000001");
    await db.customer.update({ where: { id: c.id }, data: { dateOfBirth: new Date(`1990-12-${dd(DAY + 1)}`) } });
    const tx = await post(
      tenant,
      saleBody({ occurredAt: WEDNESDAY, customer: { phone: "+48601000001" }, lines: [line("BURGER", 1000)] }),
    );
    expect(tx.pointsAwarded).toBe(50);
  });

  it("the weekday and the birthday are Warsaw's: half past midnight there is still the day before in UTC", async () => {
    const tuesday = nextWeekday(2);
    const wednesday = new Date(tuesday.getTime() + 86_400_000);
    const earlyTuesday = inWarsaw(tuesday, 0, 30);
    const earlyWednesday = inWarsaw(wednesday, 0, 30);
    expect([new Date(earlyTuesday).getUTCDay(), new Date(earlyWednesday).getUTCDay()]).toEqual([1, 2]);
    const burger = (occurredAt: string, phone: string) =>
      post(tenant, saleBody({ occurredAt, customer: { phone }, lines: [line("BURGER", 1000)] }));
    expect((await burger(earlyTuesday, "+48601000011")).pointsAwarded).toBe(20);
    expect((await burger(earlyWednesday, "+48601000011")).pointsAwarded).toBe(10);

    // Born on that Wednesday's day (1992: a leap year has every day): 5× at half past midnight, Tuesday in UTC.
    await burger(earlyTuesday, "+48601000012");
    const c = await customer(tenant, "+48601000012");
    const birthday = `1992-${dd(wednesday.getUTCMonth() + 1)}-${dd(wednesday.getUTCDate())}`;
    await db.customer.update({ where: { id: c.id }, data: { dateOfBirth: new Date(birthday) } });
    expect((await burger(earlyWednesday, "+48601000012")).pointsAwarded).toBe(50);
  });

  it("a refund of the excluded line reverses nothing; a refund of the new dish reverses its share", async () => {
    const sale = saleBody({
      occurredAt: TUESDAY,
      customer: { phone: "+48601000002" },
      lines: [
        line("BEER", 500, { category: "alcohol" }),
        line("VEGGIE", 1000, { tags: ["new"] }),
        line("BURGER", 1000),
      ],
    });
    expect((await post(tenant, sale)).pointsAwarded).toBe(50);
    const beer = await post(
      tenant,
      saleBody({
        type: "refund",
        refundOf: sale.externalId,
        occurredAt: WEDNESDAY,
        lines: [line("BEER", 500, { category: "alcohol" })],
      }),
    );
    expect(beer.pointsAwarded).toBe(0);
    const veggie = await post(
      tenant,
      saleBody({
        type: "refund",
        refundOf: sale.externalId,
        occurredAt: WEDNESDAY,
        lines: [line("VEGGIE", 1000, { tags: ["new"] })],
      }),
    );
    expect(veggie.pointsAwarded).toBe(-30);
    expect((await customer(tenant, "+48601000002")).points.balance).toBe(20);
    expect(await findBalanceDrift(db, tenant.tenantId)).toEqual([]);
  });

  it("simulate shows what a basket would earn and why, without posting anything", async () => {
    const result = await system.client(tenant.apiKeys.kiosk).programme.simulate.query({
      basket: {
        occurredAt: TUESDAY,
        channel: "kiosk",
        locationId: "store-001",
        lines: [line("VEGGIE", 1000, { tags: ["new"] })],
      },
    } as never);
    expect(result.points).toBe(30);
    expect(result.rules.map((r: { ruleId: string }) => r.ruleId)).toEqual(
      expect.arrayContaining(["base", "new-dishes"]),
    );
  });
});

describe("tiers, stamp cards and milestones", () => {
  let tenant: CreatedTenant;
  beforeAll(async () => {
    tenant = await testTenant(db, "Tier Burgers");
    const admin = system.client(tenant.apiKeys.admin);
    await admin.programme.tiers.set.mutate({
      tiers: {
        basis: "points_earned",
        window: "lifetime",
        levels: [
          { id: "bronze", name: "Bronze", threshold: 0 },
          { id: "silver", name: "Silver", threshold: 200 },
          { id: "gold", name: "Gold", threshold: 500, benefits: { earnMultiplier: 2, rewardPoints: 25 } },
        ],
      },
    } as never);
    await admin.programme.stampCards.upsert.mutate({
      card: { id: "tenth-visit", name: "10th visit free", stampsRequired: 10, rewardPoints: 100 } as never,
    });
    await admin.programme.milestones.set.mutate({ milestones: [100] });
  });

  it("upgrades immediately, shows the gap to the next tier, and gold doubles the next order", async () => {
    const phone = "+48602000001";
    await post(tenant, saleBody({ occurredAt: WEDNESDAY, customer: { phone }, lines: [line("FEAST", 25000)] })); // 250 → silver
    const c = await customer(tenant, phone);
    expect(c.tier?.id).toBe("silver");
    const tier = await system.client(tenant.apiKeys.kiosk).customers.tier.query({ customerId: c.id });
    expect(tier).toMatchObject({ tier: { id: "silver" }, qualifyingValue: 250, next: { id: "gold", gap: 250 } });

    await post(tenant, saleBody({ occurredAt: WEDNESDAY, customer: { phone }, lines: [line("FEAST", 23000)] })); // 480: "Only 20 points to gold"
    expect((await system.client(tenant.apiKeys.kiosk).customers.tier.query({ customerId: c.id })).next).toMatchObject({
      id: "gold",
      gap: 20,
    });
    const upgrading = await post(
      tenant,
      saleBody({ occurredAt: WEDNESDAY, customer: { phone }, lines: [line("MEAL", 3000)] }),
    ); // 510 → gold
    expect(upgrading.pointsAwarded).toBe(30); // earned at the silver rate
    const next = await post(
      tenant,
      saleBody({ occurredAt: WEDNESDAY, customer: { phone }, lines: [line("MEAL", 3000)] }),
    );
    expect(next.pointsAwarded).toBe(60); // gold earns 2 per €1 from the next order on

    const changes = await eventually("tier events", async () => {
      const events = (await domainEvents(system.bus, "tier.changed")).filter((e) => e.customerId === c.id);
      return events.length >= 2 ? events : undefined;
    });
    // The first sale went straight past bronze to silver.
    expect(changes.map((e) => [e.from, e.to, e.direction])).toEqual([
      [null, "silver", "up"],
      ["silver", "gold", "up"],
    ]);
    // Reaching gold paid its reward once.
    const ledger = await system.client(tenant.apiKeys.admin).customers.ledger.query({ customerId: c.id, limit: 50 });
    expect(
      ledger.items.filter((i) => i.kind === "bonus" && i.reason === "reached tier Gold").map((i) => i.amount),
    ).toEqual([25]);
  });

  it("the 10th visit completes the stamp card once and pays its reward", async () => {
    const phone = "+48602000002";
    for (let i = 0; i < 10; i++)
      await post(tenant, saleBody({ occurredAt: WEDNESDAY, customer: { phone }, lines: [line("COFFEE", 250)] }));
    const c = await customer(tenant, phone);
    const completed = await eventually("stamp event", async () => {
      const events = (await domainEvents(system.bus, "stamp_card.completed")).filter((e) => e.customerId === c.id);
      return events.length ? events : undefined;
    });
    expect(completed).toHaveLength(1);
    expect(completed[0]).toMatchObject({ cardId: "tenth-visit", completions: 1, rewardPoints: 100 });
    expect(c.points.balance).toBe(10 * 2 + 100);
  });

  it("announces a milestone once per upward crossing", async () => {
    const phone = "+48602000003";
    await post(tenant, saleBody({ occurredAt: WEDNESDAY, customer: { phone }, lines: [line("MEAL", 9000)] })); // 90
    await post(tenant, saleBody({ occurredAt: WEDNESDAY, customer: { phone }, lines: [line("MEAL", 2000)] })); // 110: crossing 1
    await post(tenant, saleBody({ occurredAt: WEDNESDAY, customer: { phone }, lines: [line("MEAL", 2000)] })); // 130: nothing
    const c = await customer(tenant, phone);
    await system
      .client(tenant.apiKeys.admin)
      .customers.adjust.mutate({ customerId: c.id, amount: -60, reason: "goodwill correction" }); // 70
    await post(tenant, saleBody({ occurredAt: WEDNESDAY, customer: { phone }, lines: [line("MEAL", 5000)] })); // 120: crossing 2
    const milestones = await eventually(
      "two milestones",
      async () => {
        const events = (await domainEvents(system.bus, "points.milestone")).filter((e) => e.customerId === c.id);
        return events.length >= 2 ? events : undefined;
      },
      20_000,
    );
    await new Promise((r) => setTimeout(r, 300));
    expect(
      (await domainEvents(system.bus, "points.milestone"))
        .filter((e) => e.customerId === c.id)
        .map((e) => [e.threshold, e.crossing]),
    ).toEqual([
      [100, 1],
      [100, 2],
    ]);
    expect(milestones[0]).toMatchObject({ balance: 110 });
  });
});

describe("admin adjustments, action points, pending points and expiry", () => {
  let tenant: CreatedTenant;
  beforeAll(async () => {
    tenant = await testTenant(db, "Jobs Burgers");
    myTenants.push(tenant.tenantId);
    const admin = system.client(tenant.apiKeys.admin);
    await admin.programme.rules.upsert.mutate({
      rule: { id: "feedback", type: "action", event: "feedback_submitted", points: 15, limit: "once" } as never,
    });
    await admin.programme.expiry.set.mutate({ expiry: { kind: "inactivity", months: 12, noticeDays: 14 } });
  });

  it("records adjustments with their reason and acting key, and refuses to take a balance below zero", async () => {
    await post(
      tenant,
      saleBody({ occurredAt: WEDNESDAY, customer: { phone: "+48603000001" }, lines: [line("MEAL", 1000)] }),
    );
    const c = await customer(tenant, "+48603000001");
    const admin = system.client(tenant.apiKeys.admin);
    expect(await admin.customers.adjust.mutate({ customerId: c.id, amount: 5, reason: "cold fries" })).toMatchObject({
      applied: true,
      balance: 15,
    });
    await expect(
      admin.customers.adjust.mutate({ customerId: c.id, amount: -16, reason: "too much" }),
    ).rejects.toMatchObject({ data: { code: "UNPROCESSABLE_CONTENT" } });
    expect(
      await admin.customers.adjust.mutate({ customerId: c.id, unit: "wallet", amount: 500, reason: "voucher refund" }),
    ).toMatchObject({ balance: 500 });
    const entry = (await admin.customers.ledger.query({ customerId: c.id })).items.find(
      (i) => i.reason === "cold fries",
    )!;
    const key = await db.apiKey.findFirst({ where: { tenantId: tenant.tenantId, role: "admin" } });
    expect(entry).toMatchObject({ kind: "adjust", amount: 5, actor: key!.id });
    expect(await customer(tenant, "+48603000001")).toMatchObject({ points: { balance: 15 }, wallet: 500 });
    const audit = await admin.audit.list.query({ limit: 50 });
    expect(audit.items.filter((a: { action: string }) => a.action === "customers.adjust")).toHaveLength(2);
  });

  it("pays action points for feedback once per customer", async () => {
    for (const eventId of ["fb-1", "fb-2"]) {
      const res = await system.post("/v1/events", tenant.apiKeys.kiosk, {
        eventId,
        type: "feedback_submitted",
        occurredAt: WEDNESDAY,
        customer: { phone: "+48603000001" },
      });
      expect(res.status).toBe(202);
    }
    const balance = await eventually("action points", async () => {
      const b = (await customer(tenant, "+48603000001")).points.balance;
      return b > 15 ? b : undefined;
    });
    await new Promise((r) => setTimeout(r, 500));
    expect((await customer(tenant, "+48603000001")).points.balance).toBe(balance);
    expect(balance).toBe(30);

    // Each event's outcome, as the integrator reads it; a customer id nobody has is refused with the reason.
    const status = async (eventId: string) => {
      const res = await fetch(`${system.gatewayUrl}/v1/events/${eventId}`, {
        headers: { authorization: `Bearer ${tenant.apiKeys.kiosk}` },
      });
      return { code: res.status, body: (await res.json()) as Record<string, unknown> };
    };
    expect((await status("fb-1")).body).toMatchObject({ status: "processed", eventId: "fb-1", pointsAwarded: 15 });
    expect((await status("fb-2")).body).toMatchObject({ status: "processed", pointsAwarded: 0 });
    const nobody = "cus_nobodyhasthisid000";
    const posted = await system.post("/v1/events", tenant.apiKeys.kiosk, {
      eventId: "fb-nobody",
      type: "feedback_submitted",
      occurredAt: WEDNESDAY,
      customer: { id: nobody },
    });
    expect(posted.status).toBe(202);
    const refused = await eventually("the refused event's outcome", async () => {
      const s = await status("fb-nobody");
      return s.code === 200 ? s.body : undefined;
    });
    expect(refused).toMatchObject({ status: "rejected", reason: { code: "unknown_customer" } });
    expect(String((refused.reason as { message: string }).message)).toContain(nobody);
    const unknown = await status("fb-never-posted");
    expect(unknown.code).toBe(404);
    expect(unknown.body).toMatchObject({ code: "not_found" });
  });

  it("expires points after 12 months of inactivity with a notice 14 days before; a purchase in between resets the clock", async () => {
    await post(
      tenant,
      saleBody({ occurredAt: WEDNESDAY, customer: { phone: "+48603000002" }, lines: [line("MEAL", 8000)] }),
    );
    await post(
      tenant,
      saleBody({ occurredAt: WEDNESDAY, customer: { phone: "+48603000003" }, lines: [line("MEAL", 8000)] }),
    );
    await post(
      tenant,
      saleBody({
        occurredAt: inYear(1, "06-01T12:00:00+02:00"),
        customer: { phone: "+48603000003" },
        lines: [line("MEAL", 1000)],
      }),
    );
    const idle = await customer(tenant, "+48603000002");
    const active = await customer(tenant, "+48603000003");

    const expiry = wednesdayDay(1, "12", "12:00:00Z"); // 12 months after the last purchase
    expect((await jobs(addDays(expiry, -22)))["expiry-notices"]).toBe(0); // 22 days before: too early
    expect((await jobs(addDays(expiry, -15)))["expiry-notices"]).toBe(0); // the day before the notice period
    // 14 days before (the purchase was at 11:00Z): the notice, on schedule, so it names the 12-months date. A first
    // notice written later inside the window would name 14 days from then instead (announcedExpiry).
    await jobs(addDays(expiry, -14));
    await jobs(addDays(expiry, -13)); // again: no second notice
    const notices = (await domainEvents(system.bus, "points.expiring")).filter((e) => e.customerId === idle.id);
    expect(notices).toHaveLength(1);
    expect(notices[0]).toMatchObject({ points: 80, expiresAt: wednesdayDay(1, "12", "11:00:00.000Z") });

    const expired = await jobs(addDays(expiry, 1));
    expect(expired["expire-points"]).toBeGreaterThanOrEqual(1);
    expect((await jobs(addDays(expiry, 2)))["expire-points"]).toBe(0); // never twice
    expect((await customer(tenant, idle.phone!)).points.balance).toBe(0);
    expect((await customer(tenant, active.phone!)).points.balance).toBe(90); // the June purchase reset the clock
    expect(await findBalanceDrift(db, tenant.tenantId)).toEqual([]);
  });

  it("holds points pending for the configured days, then releases them once", async () => {
    await system.client(tenant.apiKeys.admin).programme.pendingDays.set.mutate({ days: 14 });
    await post(
      tenant,
      saleBody({ occurredAt: WEDNESDAY, customer: { phone: "+48603000004" }, lines: [line("MEAL", 4200)] }),
    );
    expect(await customer(tenant, "+48603000004")).toMatchObject({ points: { balance: 0, pending: 42 } });
    await jobs(addDays(WEDNESDAY, 8));
    expect(await customer(tenant, "+48603000004")).toMatchObject({ points: { balance: 0, pending: 42 } });
    await jobs(addDays(WEDNESDAY, 15));
    await jobs(addDays(WEDNESDAY, 16));
    expect(await customer(tenant, "+48603000004")).toMatchObject({ points: { balance: 42, pending: 0 } });
    expect(await findBalanceDrift(db, tenant.tenantId)).toEqual([]);
  });
});

describe("domain events on the bus", () => {
  it("every event of this file's run matched its contract: the analytics writer dead-lettered none", async () => {
    const stream = system.bus.topology.streams.deadLetter;
    const info = await system.bus.jsm.streams.info(stream).catch(() => null);
    const reasons: string[] = [];
    for (let seq = info?.state.first_seq ?? 1; info && info.state.messages > 0 && seq <= info.state.last_seq; seq++) {
      const m = await system.bus.jsm.streams.getMessage(stream, { seq }).catch(() => null);
      const body = m?.json<{ consumer: string; reason: string }>();
      if (body?.consumer === system.bus.topology.consumers.analyticsWriter) reasons.push(body.reason);
    }
    expect(reasons).toEqual([]);
    expect((await domainEvents(system.bus)).length).toBeGreaterThan(50);
  });
});

describe("ledger rules of the specification, end to end", () => {
  let tenant: CreatedTenant;
  beforeAll(async () => {
    tenant = await testTenant(db, "Spec Burgers");
    myTenants.push(tenant.tenantId);
    await system.client(tenant.apiKeys.admin).programme.tiers.set.mutate({
      tiers: {
        basis: "points_earned",
        window: "lifetime",
        levels: [
          { id: "bronze", name: "Bronze", threshold: 0 },
          { id: "silver", name: "Silver", threshold: 200 },
        ],
      },
    } as never);
    await system
      .client(tenant.apiKeys.admin)
      .programme.expiry.set.mutate({ expiry: { kind: "after_earning", months: 12, noticeDays: 14 } });
  });

  it("a refund after the points were spent leaves a negative balance that later earning pays off first", async () => {
    const phone = "+48605000001";
    const sale = saleBody({ occurredAt: WEDNESDAY, customer: { phone }, lines: [line("FEAST", 10000)] });
    await post(tenant, sale); // +100
    const c = await customer(tenant, phone);
    await system
      .client(tenant.apiKeys.admin)
      .customers.adjust.mutate({ customerId: c.id, amount: -80, reason: "spent on a reward" }); // 20 left
    await post(
      tenant,
      saleBody({ type: "refund", refundOf: sale.externalId, occurredAt: WEDNESDAY, lines: [line("FEAST", 10000)] }),
    );
    expect((await customer(tenant, phone)).points.balance).toBe(-80);
    await post(tenant, saleBody({ occurredAt: WEDNESDAY, customer: { phone }, lines: [line("MEAL", 5000)] })); // +50 pays debt
    expect((await customer(tenant, phone)).points.balance).toBe(-30);
    const lots = await db.pointLot.findMany({ where: { customerId: c.id }, orderBy: { id: "asc" } });
    expect(lots.map((l) => Number(l.remaining))).toEqual([0, 0]); // nothing spendable while in debt
    expect(await findBalanceDrift(db, tenant.tenantId)).toEqual([]);
  });

  it("tiers qualify on points earned, never on the spendable balance", async () => {
    const phone = "+48605000002";
    await post(tenant, saleBody({ occurredAt: WEDNESDAY, customer: { phone }, lines: [line("FEAST", 25000)] })); // earned 250 → silver
    const c = await customer(tenant, phone);
    await system
      .client(tenant.apiKeys.admin)
      .customers.adjust.mutate({ customerId: c.id, amount: -200, reason: "spent on rewards" });
    const tier = await system.client(tenant.apiKeys.admin).customers.tier.query({ customerId: c.id });
    expect(tier).toMatchObject({ tier: { id: "silver" }, qualifyingValue: 250 });
    expect((await customer(tenant, phone)).points.balance).toBe(50);
  });

  it("expiry dates are computed once, when the points are awarded: a later policy change does not move them", async () => {
    const phone = "+48605000003";
    await post(tenant, saleBody({ occurredAt: WEDNESDAY, customer: { phone }, lines: [line("MEAL", 3000)] }));
    const c = await customer(tenant, phone);
    const before = await db.pointLot.findFirstOrThrow({ where: { customerId: c.id } });
    expect(before.expiresAt?.toISOString()).toBe(wednesdayDay(1, "12", "11:00:00.000Z")); // 12 months later, same local time in Warsaw
    await system
      .client(tenant.apiKeys.admin)
      .programme.expiry.set.mutate({ expiry: { kind: "after_earning", months: 6, noticeDays: 14 } });
    await post(tenant, saleBody({ occurredAt: WEDNESDAY, customer: { phone }, lines: [line("MEAL", 1000)] }));
    const lots = await db.pointLot.findMany({ where: { customerId: c.id }, orderBy: { id: "asc" } });
    expect(lots.map((l) => l.expiresAt?.toISOString())).toEqual([
      wednesdayDay(1, "12", "11:00:00.000Z"),
      wednesdayDay(1, "06", "10:00:00.000Z"),
    ]);
  });
});
