import { type Bus, connectBus } from "@regulars/bus";
import type { Db } from "@regulars/db";
import { findBalanceDrift } from "@regulars/ledger-store";
import { createLogger } from "@regulars/logger";
import { ProgrammeCache } from "@regulars/programme";
import type { CreatedTenant } from "@regulars/tenancy";
import {
  at,
  eventually,
  futureDatesAccepted,
  holdTransaction,
  saleBody,
  testNatsUrl,
  testTenant,
} from "@regulars/testing";
import { runScheduledJobs } from "@regulars/workers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { domainEvents } from "./domain-events.ts";
import { startIsolatedTestSystem } from "./system-fixture.ts";

/**
 * Scheduled jobs end to end: sales through the gateway, the programme over tRPC, then passes of
 * `runScheduledJobs` at chosen dates, judged by the ledger, the lots and the domain events.
 *
 * A pass works on every tenant of its database, and other test files move time far into the future
 * (loyalty.e2e runs passes a year ahead) while their own schedulers run passes at the real time. To keep
 * their passes off this file's tenants (and ours off theirs) this file runs the system over a database
 * of its own. Inside the file, describe blocks run in order and each creates its tenant when it
 * starts, so dates are chosen so that one block's passes find nothing left to do in earlier tenants.
 *
 * Dates are calendar days of years that are always ahead (`at(0, …)` is next year, "Y" in comments), so
 * the programme configured now is in force for them whatever day the suite runs; the system accepts
 * future-dated sales for that (`futureDatesAccepted`).
 */

let system: Awaited<ReturnType<typeof startIsolatedTestSystem>>;
let db: Db;

beforeAll(async () => {
  system = await startIsolatedTestSystem({ JOBS_INTERVAL_MS: "3600000", ...futureDatesAccepted });
  db = system.db;
});
afterAll(async () => {
  await system?.dispose();
});

const line = (sku: string, unitPrice: number) => ({ sku, name: sku, quantity: 1, unitPrice, discount: 0, tags: [] });
const log = createLogger({ level: "silent" });

async function post(tenant: CreatedTenant, phone: string, occurredAt: string, amount: number) {
  const body = saleBody({ occurredAt, customer: { phone }, lines: [line("MEAL", amount)] });
  const res = await system.post("/v1/transactions", tenant.apiKeys.pos, body);
  expect(res.status).toBe(202);
  const tx = await system.processed(tenant.apiKeys.admin, body.externalId);
  expect(tx.pointsAwarded).toBe(Math.floor(amount / 100)); // the default programme: 1 point per €1
  return tx;
}
const customer = (tenant: CreatedTenant, phone: string) =>
  system.client(tenant.apiKeys.admin).customers.get.query({ phone });
const admin = (tenant: CreatedTenant) => system.client(tenant.apiKeys.admin);

/** Every tenant's cached balances equal the sum of their entries. */
async function expectNoDrift() {
  for (const t of await db.tenant.findMany({ select: { id: true } }))
    expect(await findBalanceDrift(db, t.id)).toEqual([]);
}

/** One pass of every job as of `now`, as a freshly started process would run it (empty programme cache). */
async function run(now: string, bus: Bus = system.bus) {
  return runScheduledJobs({ db, bus, log, programmes: new ProgrammeCache(db, 0) }, new Date(now));
}
/** A pass nobody else competes with (this file's database has no other scheduler running): it must run. */
async function jobs(now: string) {
  const done = await run(now);
  expect(done).not.toBeNull();
  await expectNoDrift();
  return done!;
}
const eventsOf = async (type: string, customerId: string) =>
  (await domainEvents(system.bus, type)).filter((e) => e.customerId === customerId);
const expireCount = (tenant: CreatedTenant, customerId?: string) =>
  db.ledgerMovement.count({
    where: { tenantId: tenant.tenantId, kind: "expire", ...(customerId ? { customerId } : {}) },
  });

describe("after_earning expiry: each lot keeps its own date, notices come first, FIFO decides what is left", () => {
  let tenant: CreatedTenant;
  beforeAll(async () => {
    tenant = await testTenant(db, "Expiry Burgers");
    await admin(tenant).programme.expiry.set.mutate({ expiry: { kind: "after_earning", months: 12, noticeDays: 14 } });
  });

  it("announces and expires the first lot, then the second; spent points come out of the oldest lot first", async () => {
    const phones = { kept: "+48611000001", spent50: "+48611000002", spent90: "+48611000003" };
    for (const phone of Object.values(phones)) {
      await post(tenant, phone, at(0, "12-02T12:00:00+01:00"), 8000); // 80 points, expire Y+1-12-02 12:00 Warsaw
      await post(tenant, phone, at(1, "01-02T12:00:00+01:00"), 3000); // 30 points, expire Y+2-01-02 12:00 Warsaw
    }
    const kept = await customer(tenant, phones.kept);
    const spent50 = await customer(tenant, phones.spent50);
    const spent90 = await customer(tenant, phones.spent90);
    expect(
      await admin(tenant).customers.adjust.mutate({
        customerId: spent50.id,
        amount: -50,
        reason: "redeemed at the counter",
      }),
    ).toMatchObject({ balance: 60 });
    expect(
      await admin(tenant).customers.adjust.mutate({
        customerId: spent90.id,
        amount: -90,
        reason: "redeemed at the counter",
      }),
    ).toMatchObject({ balance: 20 });

    const lots = async (customerId: string) =>
      (
        await db.pointLot.findMany({ where: { tenantId: tenant.tenantId, customerId }, orderBy: { earnedAt: "asc" } })
      ).map((l) => [Number(l.points), Number(l.remaining), l.expiresAt?.toISOString()]);
    const FIRST = at(1, "12-02T11:00:00.000Z");
    const SECOND = at(2, "01-02T11:00:00.000Z");
    expect(await lots(kept.id)).toEqual([
      [80, 80, FIRST],
      [30, 30, SECOND],
    ]);
    expect(await lots(spent50.id)).toEqual([
      [80, 30, FIRST],
      [30, 30, SECOND],
    ]); // FIFO: the spend came out of the oldest lot
    expect(await lots(spent90.id)).toEqual([
      [80, 0, FIRST],
      [30, 20, SECOND],
    ]);

    // 20 days before the first expiry: too early for a notice.
    await jobs(at(1, "11-12T12:00:00+01:00"));
    for (const c of [kept, spent50, spent90]) expect(await eventsOf("points.expiring", c.id)).toEqual([]);

    // 10 days before: one notice for what is left of the first lot only; running again sends nothing more.
    await jobs(at(1, "11-22T12:00:00+01:00"));
    await jobs(at(1, "11-23T12:00:00+01:00"));
    expect((await eventsOf("points.expiring", kept.id)).map((e) => [e.points, e.expiresAt])).toEqual([[80, FIRST]]);
    expect((await eventsOf("points.expiring", spent50.id)).map((e) => [e.points, e.expiresAt])).toEqual([[30, FIRST]]);
    expect(await eventsOf("points.expiring", spent90.id)).toEqual([]); // nothing left in the first lot to announce

    // A day after the first expiry: exactly the first lot's remainder expires; the second lot is untouched.
    await jobs(at(1, "12-03T12:00:00+01:00"));
    expect((await eventsOf("points.expired", kept.id)).map((e) => [e.points, e.balance])).toEqual([[80, 30]]);
    expect((await eventsOf("points.expired", spent50.id)).map((e) => [e.points, e.balance])).toEqual([[30, 30]]);
    expect(await eventsOf("points.expired", spent90.id)).toEqual([]);
    expect((await customer(tenant, phones.kept)).points.balance).toBe(30);
    expect((await customer(tenant, phones.spent50)).points.balance).toBe(30);
    expect((await customer(tenant, phones.spent90)).points.balance).toBe(20);
    expect(await lots(kept.id)).toEqual([
      [80, 0, FIRST],
      [30, 30, SECOND],
    ]);
    expect(await lots(spent90.id)).toEqual([
      [80, 0, FIRST],
      [30, 20, SECOND],
    ]);
    expect(await expireCount(tenant)).toBe(2);

    // Running again posts nothing.
    expect((await jobs(at(1, "12-04T12:00:00+01:00")))["expire-points"]).toBe(0);
    expect(await expireCount(tenant)).toBe(2);

    // The second lot gets its own notice, then expires the day after its date.
    await jobs(at(1, "12-23T12:00:00+01:00"));
    for (const [c, points] of [
      [kept, 30],
      [spent50, 30],
      [spent90, 20],
    ] as const) {
      expect(
        (await eventsOf("points.expiring", c.id)).filter((e) => e.expiresAt === SECOND).map((e) => e.points),
      ).toEqual([points]);
    }
    await jobs(at(2, "01-03T12:00:00+01:00"));
    expect((await eventsOf("points.expired", kept.id)).map((e) => [e.points, e.balance])).toEqual([
      [80, 30],
      [30, 0],
    ]);
    expect((await eventsOf("points.expired", spent50.id)).map((e) => [e.points, e.balance])).toEqual([
      [30, 30],
      [30, 0],
    ]);
    expect((await eventsOf("points.expired", spent90.id)).map((e) => [e.points, e.balance])).toEqual([[20, 0]]);
    for (const phone of Object.values(phones)) expect((await customer(tenant, phone)).points.balance).toBe(0);
    expect(await expireCount(tenant)).toBe(5);
    expect((await jobs(at(2, "01-04T12:00:00+01:00")))["expire-points"]).toBe(0);
    expect(await expireCount(tenant)).toBe(5);
  });

  it("announces every expiring point when two lots expire on the same local day at different hours", async () => {
    const phone = "+48611000004";
    await post(tenant, phone, at(1, "02-03T09:00:00+01:00"), 4000); // lunch: 40 points, expire Y+2-02-03 09:00
    await post(tenant, phone, at(1, "02-03T18:00:00+01:00"), 3000); // dinner: 30 points, expire Y+2-02-03 18:00
    const c = await customer(tenant, phone);

    await jobs(at(2, "01-20T12:00:00+01:00")); // 14 days before lunch's lot expires, not yet dinner's
    await jobs(at(2, "01-21T12:00:00+01:00")); // both lots are now within 14 days
    await jobs(at(2, "02-04T12:00:00+01:00")); // both expired
    expect((await eventsOf("points.expired", c.id)).reduce((n, e) => n + e.points, 0)).toBe(70);
    const notices = (await eventsOf("points.expiring", c.id)).map((e) => ({
      points: e.points as number,
      expiresAt: e.expiresAt as string,
    }));
    // Each of the 70 points that expired was announced beforehand ("Your 70 points expire ...").
    expect(
      notices.reduce((n, e) => n + e.points, 0),
      `notices sent: ${JSON.stringify(notices)}`,
    ).toBeGreaterThanOrEqual(70);
  });
});

const tierLevels = [
  { id: "bronze", name: "Bronze", threshold: 0 },
  { id: "silver", name: "Silver", threshold: 200 },
  { id: "gold", name: "Gold", threshold: 500 },
];
const downgrades = async (ids: string[]) =>
  (await domainEvents(system.bus, "tier.changed")).filter((e) => e.direction === "down" && ids.includes(e.customerId));

describe("calendar-year tiers (Europe/Warsaw): downgrades happen at the local new year, once", () => {
  let tenant: CreatedTenant;
  const phones = { a: "+48612000001", b: "+48612000002", c: "+48612000003", d: "+48612000004" };
  const ids: Record<keyof typeof phones, string> = { a: "", b: "", c: "", d: "" };
  const tierOf = async (who: keyof typeof phones) => (await customer(tenant, phones[who])).tier?.id;
  beforeAll(async () => {
    tenant = await testTenant(db, "Calendar Burgers"); // Europe/Warsaw
    await admin(tenant).programme.tiers.set.mutate({
      tiers: { basis: "points_earned", window: "calendar_year", levels: tierLevels },
    } as never);
  });

  it("whoever qualified in Y keeps gold through Y+1, including points earned at 00:15 local on 1 January", async () => {
    for (const who of ["a", "b", "c"] as const) await post(tenant, phones[who], at(0, "12-02T12:00:00+01:00"), 60000); // 600 points → gold
    await post(tenant, phones.d, at(1, "01-01T00:15:00+01:00"), 60000); // local Y+1 (still Y in UTC) → gold
    for (const who of ["a", "b", "c", "d"] as const) {
      ids[who] = (await customer(tenant, phones[who])).id;
      expect(await tierOf(who)).toBe("gold");
    }

    // 00:30 local on 1 January Y+1 (23:30 UTC on 31 December): judges local Y.
    expect((await jobs(at(1, "01-01T00:30:00+01:00")))["tier-downgrades"]).toBe(0);
    for (const who of ["a", "b", "c", "d"] as const) expect(await tierOf(who)).toBe("gold");
    expect(await downgrades(Object.values(ids))).toEqual([]);
  });

  it("at the next new year: silver-level or no earning in Y+1 downgrades (one event each, once); early re-qualifiers keep gold", async () => {
    await post(tenant, phones.a, at(1, "03-03T12:00:00+01:00"), 25000); // 250 points in Y+1: silver level
    await post(tenant, phones.c, at(2, "01-01T00:10:00+01:00"), 50000); // nothing in Y+1, but 500 points 10 minutes into Y+2
    // b earns nothing in Y+1; d's 600 points of 00:15 on 1 January Y+1 belong to local Y+1.
    expect(await tierOf("a")).toBe("gold"); // no downgrade before the period ends

    expect((await jobs(at(2, "01-01T00:30:00+01:00")))["tier-downgrades"]).toBe(2);
    expect(await tierOf("a")).toBe("silver");
    expect(await tierOf("b")).toBe("bronze");
    expect(await tierOf("c")).toBe("gold");
    expect(await tierOf("d")).toBe("gold");
    const events = await downgrades(Object.values(ids));
    expect(events.map((e) => [e.customerId, e.from, e.to, e.qualifyingValue]).sort()).toEqual(
      [
        [ids.a, "gold", "silver", 250],
        [ids.b, "gold", "bronze", 0],
      ].sort(),
    );

    // The job mark for Y+2: a pass the next day (or after a restart) changes nothing.
    expect((await jobs(at(2, "01-02T00:30:00+01:00")))["tier-downgrades"]).toBe(0);
    expect(await downgrades(Object.values(ids))).toHaveLength(2);
    expect(await tierOf("a")).toBe("silver");
    expect(await tierOf("b")).toBe("bronze");
  });
});

describe("rolling 12-month tiers: judged every local day against the last 12 months", () => {
  let tenant: CreatedTenant;
  const phones = { lapsed: "+48613000001", loyal: "+48613000002", slowed: "+48613000003" };
  const tierOf = async (phone: string) => (await customer(tenant, phone)).tier?.id;
  beforeAll(async () => {
    tenant = await testTenant(db, "Rolling Burgers");
    await admin(tenant).programme.tiers.set.mutate({
      tiers: { basis: "points_earned", window: "rolling_12_months", levels: tierLevels },
    } as never);
  });

  it("gold in December Y and nothing since: bronze a year and a day later; recent earning keeps its level", async () => {
    for (const phone of Object.values(phones)) await post(tenant, phone, at(0, "12-02T12:00:00+01:00"), 60000); // gold
    await post(tenant, phones.loyal, at(1, "06-02T12:00:00+02:00"), 50000); // 500 in the last 12 months
    await post(tenant, phones.slowed, at(1, "06-02T12:00:00+02:00"), 25000); // 250 in the last 12 months
    const ids = await Promise.all(Object.values(phones).map(async (p) => (await customer(tenant, p)).id));
    const [lapsed, loyal, slowed] = ids as [string, string, string];

    // Y+1-12-01: the December Y purchase is still inside the window.
    await jobs(at(1, "12-01T12:00:00+01:00"));
    for (const phone of Object.values(phones)) expect(await tierOf(phone)).toBe("gold");
    expect(await downgrades(ids)).toEqual([]);

    await jobs(at(1, "12-03T12:00:00+01:00"));
    expect(await tierOf(phones.lapsed)).toBe("bronze");
    expect(await tierOf(phones.slowed)).toBe("silver");
    expect(await tierOf(phones.loyal)).toBe("gold");
    const events = await downgrades(ids);
    expect(events.map((e) => [e.customerId, e.from, e.to, e.qualifyingValue]).sort()).toEqual(
      [
        [lapsed, "gold", "bronze", 0],
        [slowed, "gold", "silver", 250],
      ].sort(),
    );
    expect(events.some((e) => e.customerId === loyal)).toBe(false);

    // Later the same local day (the day's mark) and the next day: no second event.
    expect((await jobs(at(1, "12-03T18:00:00+01:00")))["tier-downgrades"]).toBe(0);
    await jobs(at(1, "12-04T12:00:00+01:00"));
    expect(await downgrades(ids)).toHaveLength(2);
  });
});

describe("never twice: concurrent passes, restarts and the ledger", () => {
  let tenant: CreatedTenant;
  const phones = ["+48614000001", "+48614000002", "+48614000003", "+48614000004"];
  beforeAll(async () => {
    tenant = await testTenant(db, "Concurrent Burgers");
    await admin(tenant).programme.expiry.set.mutate({ expiry: { kind: "after_earning", months: 12, noticeDays: 14 } });
  });

  it("two passes started together with the same `now` expire each lot exactly once", async () => {
    for (const phone of phones) {
      await post(tenant, phone, at(0, "12-02T12:00:00+01:00"), 4000);
      await post(tenant, phone, at(0, "12-09T12:00:00+01:00"), 2500);
    }
    const now = at(1, "12-10T12:00:00+01:00");
    const results = await Promise.all([run(now), run(now)]);
    const ran = results.filter((r): r is Record<string, number> => r !== null);
    expect(ran.length).toBeGreaterThanOrEqual(1); // the other one found the advisory lock taken, or ran after it and found nothing
    expect(ran.reduce((n, r) => n + (r["expire-points"] ?? 0), 0)).toBe(8); // nothing else in this database expires at that date
    await expectNoDrift();

    expect(await expireCount(tenant)).toBe(8); // one expire movement per lot
    const lots = await db.pointLot.findMany({ where: { tenantId: tenant.tenantId } });
    expect(lots).toHaveLength(8);
    expect(lots.every((l) => l.remaining === 0n)).toBe(true);
    for (const phone of phones) {
      const c = await customer(tenant, phone);
      expect(c.points.balance).toBe(0);
      const movements = await db.ledgerMovement.findMany({
        where: { tenantId: tenant.tenantId, customerId: c.id, kind: "expire" },
        orderBy: { amount: "asc" },
      });
      expect(movements.map((m) => Number(m.amount))).toEqual([-40, -25]);
    }

    // A process started afterwards (fresh programme cache) finds nothing left to do.
    expect((await jobs(now))["expire-points"]).toBe(0);
    expect(await expireCount(tenant)).toBe(8);
  });

  it("a pass that died after committing the expiry but before publishing: the rerun posts nothing, the event still goes out once", async () => {
    const phone = "+48614000009";
    await post(tenant, phone, at(1, "01-13T12:00:00+01:00"), 7000); // 70 points, expire Y+2-01-13 12:00
    const c = await customer(tenant, phone);
    // A connection that is gone: whatever the pass publishes after its commit fails, as if the process had died
    // right there (however the events are published).
    const gone = await connectBus({ url: testNatsUrl(), namespace: system.bus.topology.namespace });
    await gone.close();
    const deadBus: Bus = { ...system.bus, nc: gone.nc, js: gone.js };

    const crashed = await run(at(2, "01-14T12:00:00+01:00"), deadBus);
    expect(crashed?.["expire-points"]).toBe(1); // committed...
    expect(
      await db.outboxEvent.count({ where: { tenantId: tenant.tenantId, type: "points.expired", publishedAt: null } }),
    ).toBe(1); // ...not published
    await expectNoDrift();

    expect((await jobs(at(2, "01-14T12:00:00+01:00")))["expire-points"]).toBe(0);
    expect(await expireCount(tenant, c.id)).toBe(1);
    expect((await customer(tenant, phone)).points.balance).toBe(0);

    // The outbox relay publishes what the dead pass left behind, once.
    const expired = await eventually("the relay publishes the expiry", async () => {
      const events = await eventsOf("points.expired", c.id);
      return events.length ? events : undefined;
    });
    expect(expired.map((e) => [e.points, e.balance])).toEqual([[70, 0]]);
    await eventually("marked published", async () =>
      (await db.outboxEvent.count({ where: { tenantId: tenant.tenantId, publishedAt: null } })) === 0
        ? true
        : undefined,
    );
    expect(await eventsOf("points.expired", c.id)).toHaveLength(1);
  });
});

describe("expiry racing a spend of the same points", () => {
  let tenant: CreatedTenant;
  beforeAll(async () => {
    tenant = await testTenant(db, "Race Burgers");
    await admin(tenant).programme.expiry.set.mutate({ expiry: { kind: "after_earning", months: 12, noticeDays: 14 } });
  });

  /** Sessions of this file's database waiting for a lock. */
  const lockWaiters = () =>
    db.$queryRaw<
      { n: number }[]
    >`SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`.then(
      (r) => r[0]!.n,
    );
  const waitFor = (n: number) =>
    eventually(
      `${n} sessions waiting for a lock`,
      async () => ((await lockWaiters()) >= n ? true : undefined),
      20_000,
      20,
    );

  it("points spent while the expiry pass runs are not expired as well: the balance never goes below zero", async () => {
    const phone = "+48615000001";
    await post(tenant, phone, at(0, "12-02T12:00:00+01:00"), 8000); // 80, expires Y+1-12-02
    await post(tenant, phone, at(1, "01-02T12:00:00+01:00"), 3000); // 30, expires Y+2-01-02
    const c = await customer(tenant, phone);

    // Someone else holds the customer's points account for a moment (any writer of this customer does).
    const holder = await holdTransaction(
      system.databaseUrl,
      (tx) =>
        tx.$queryRaw`SELECT id FROM ledger_accounts WHERE tenant_id = ${tenant.tenantId} AND owner = ${c.id} AND kind = 'points' FOR UPDATE`,
    );

    // Queued in this order behind it: an admin spending 100 of the 110 points, then the expiry pass
    // for the day after the first lot's date.
    const spend = admin(tenant).customers.adjust.mutate({
      customerId: c.id,
      amount: -100,
      reason: "redeemed at the counter",
    });
    await waitFor(1);
    const pass = run(at(1, "12-03T12:00:00+01:00"));
    await waitFor(2);
    await holder.commit();
    const [spent, done] = await Promise.all([spend, pass]);
    expect(done).not.toBeNull();
    await expectNoDrift();

    // The spend came first and took the whole first lot (FIFO): 80 from it, 20 from the second. So
    // nothing of the first lot was left to expire, and the 10 points left in the second lot stay.
    const state = {
      spend: { applied: spent.applied, balance: spent.balance },
      balance: (await customer(tenant, phone)).points.balance,
      expired: (
        await db.ledgerMovement.findMany({ where: { tenantId: tenant.tenantId, customerId: c.id, kind: "expire" } })
      ).map((m) => Number(m.amount)),
      lotsRemaining: (
        await db.pointLot.findMany({
          where: { tenantId: tenant.tenantId, customerId: c.id },
          orderBy: { earnedAt: "asc" },
        })
      ).map((l) => Number(l.remaining)),
    };
    expect(state).toEqual({ spend: { applied: true, balance: 10 }, balance: 10, expired: [], lotsRemaining: [0, 10] });
  });
});
