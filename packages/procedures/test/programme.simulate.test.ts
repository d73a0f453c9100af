import type { Db } from "@regulars/db";
import { testDb } from "@regulars/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { failure, HOUR, inMs, tenantCallers } from "./helpers.ts";

let db: Db;
beforeAll(() => {
  db = testDb();
});
afterAll(async () => {
  await db?.$disconnect();
});

const burger = { sku: "BURGER", name: "Classic burger", category: "mains", tags: [], quantity: 1, unitPrice: 1450 };
const basket = (occurredAt?: string) => ({
  channel: "kiosk" as const,
  locationId: "store-1",
  lines: [burger],
  ...(occurredAt ? { occurredAt } : {}),
});

describe("programme.simulate", () => {
  it("quotes the default programme with its explanation: 14.50 earns 14 points", async () => {
    const t = await tenantCallers(db);
    const quote = await t.admin.programme.simulate({ basket: basket() });
    expect(quote).toMatchObject({ programmeVersion: 1, points: 14, capped: null });
    expect(quote.rules).toEqual([
      expect.objectContaining({ ruleId: "base", type: "base_rate", points: 14.5, lines: [0] }),
    ]);
    expect(quote.lines).toEqual([
      expect.objectContaining({ lineNo: 0, amount: 1450, eligible: true, rules: ["base"] }),
    ]);
    expect(await t.admin.programme.versions()).toHaveLength(1);
  });

  it("is open to kiosk keys but not to pos or analyst keys", async () => {
    const t = await tenantCallers(db);
    expect((await t.kiosk.programme.simulate({ basket: basket() })).points).toBe(14);
    expect((await failure(t.pos.programme.simulate({ basket: basket() }))).code).toBe("FORBIDDEN");
    expect((await failure(t.analyst.programme.simulate({ basket: basket() }))).code).toBe("FORBIDDEN");
  });

  it("evaluates against the version in force at occurredAt", async () => {
    const t = await tenantCallers(db);
    await t.admin.programme.rules.upsert({
      rule: { id: "launch-week", type: "multiplier", factor: 2 },
      effectiveFrom: inMs(HOUR),
    });
    expect(await t.kiosk.programme.simulate({ basket: basket() })).toMatchObject({ programmeVersion: 1, points: 14 });
    const later = await t.kiosk.programme.simulate({ basket: basket(inMs(2 * HOUR)) });
    expect(later).toMatchObject({ programmeVersion: 2, points: 29 });
    expect(later.rules.map((r) => r.ruleId)).toEqual(expect.arrayContaining(["base", "launch-week"]));
  });

  it("reads weekdays on the location's clock where an admin set its zone", async () => {
    const t = await tenantCallers(db); // Europe/Warsaw
    await t.admin.locations.set({ id: "store-nyc", name: null, timezone: "America/New_York" });
    // The next hour whose weekday in New York is not Warsaw's (late evening in New York).
    let at = Date.now() - (Date.now() % HOUR) + HOUR;
    const weekday = (zone: string) =>
      new Intl.DateTimeFormat("en-US", { timeZone: zone, weekday: "short" }).format(new Date(at));
    while (weekday("America/New_York") === weekday("Europe/Warsaw")) at += HOUR;
    const isoDay = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"].indexOf(weekday("America/New_York")) + 1;
    await t.admin.programme.rules.upsert({
      rule: { id: "local-day", type: "multiplier", factor: 2, weekdays: [isoDay] },
    });
    const occurredAt = new Date(at).toISOString();
    const there = await t.kiosk.programme.simulate({ basket: { ...basket(occurredAt), locationId: "store-nyc" } });
    const here = await t.kiosk.programme.simulate({ basket: { ...basket(occurredAt), locationId: "store-1" } });
    expect(there).toMatchObject({ points: 29 });
    expect(here).toMatchObject({ points: 14 });
  });

  it("takes the customer's tier and birthday into account, in the tenant's time zone", async () => {
    const t = await tenantCallers(db); // Europe/Warsaw
    await t.admin.programme.tiers.set({
      tiers: {
        basis: "points_earned",
        window: "lifetime",
        levels: [
          { id: "bronze", name: "Bronze", threshold: 0 },
          { id: "gold", name: "Gold", threshold: 500, benefits: { earnMultiplier: 2 } },
        ],
      },
    });
    await t.admin.programme.rules.upsert({ rule: { id: "birthday", type: "multiplier", factor: 5, birthday: true } });
    expect((await t.kiosk.programme.simulate({ basket: basket(), customer: { tier: "gold" } })).points).toBe(29);

    // 23:30 UTC on 9 March is already 10 March in Warsaw.
    const lateEvening = `${new Date().getUTCFullYear() + 1}-03-09T23:30:00Z`; // ahead of now, where the configured rules are in force
    const birthday = await t.kiosk.programme.simulate({
      basket: basket(lateEvening),
      customer: { dateOfBirth: "1990-03-10" },
    });
    expect(birthday.points).toBe(72);
    expect(birthday.rules).toEqual(expect.arrayContaining([expect.objectContaining({ ruleId: "birthday" })]));
    expect(
      (await t.kiosk.programme.simulate({ basket: basket(lateEvening), customer: { dateOfBirth: "1990-03-09" } }))
        .points,
    ).toBe(14);
  });

  it("applies the daily cap to what the customer already earned today", async () => {
    const t = await tenantCallers(db);
    await t.admin.programme.caps.set({ caps: { perDay: 20 } });
    const quote = await t.kiosk.programme.simulate({ basket: basket(), customer: { earnedToday: 15 } });
    expect(quote).toMatchObject({ points: 5, capped: { by: "per_day", uncapped: 14 } });
  });
});
