import type { Db } from "@regulars/db";
import { testDb } from "@regulars/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { failure, HOUR, inMs, issuesOf, tenantCallers } from "./helpers.ts";

let db: Db;
beforeAll(() => {
  db = testDb();
});
afterAll(async () => {
  await db?.$disconnect();
});

const unknown = (path: string, key: string) => ({ path, message: `unknown field: "${key}"` });

// Beside the rules (programme.rule-keys.test.ts): a dropped `perDAY` or `effectiveFromm` puts the wrong version live.
describe("programme changes refuse keys they do not have", () => {
  it("caps, pending days and their timing name the unknown key and write no version", async () => {
    const t = await tenantCallers(db);
    const before = await t.admin.programme.versions();
    const caps = await failure(t.admin.programme.caps.set({ caps: { perTransaction: 100, perDAY: 500 } } as never));
    expect(caps.code).toBe("BAD_REQUEST");
    expect(issuesOf(caps)).toEqual([unknown("caps", "perDAY")]);
    const later = inMs(24 * HOUR);
    const pending = await failure(t.admin.programme.pendingDays.set({ days: 3, effectiveFromm: later } as never));
    expect(issuesOf(pending)).toEqual([unknown("(body)", "effectiveFromm")]);
    expect(await t.admin.programme.versions()).toEqual(before);
  });

  it("tiers, expiry, stamp cards, redemption and rewards refuse unknown keys at every depth", async () => {
    const t = await tenantCallers(db);
    const before = await t.admin.programme.versions();
    const level = { id: "base", name: "Base", threshold: 0 };
    const tiers = {
      basis: "points_earned",
      window: "lifetime",
      levels: [{ ...level, benefits: { earnMultipler: 2 } }],
    };
    const cases: [() => Promise<unknown>, { path: string; message: string }][] = [
      [() => t.admin.programme.tiers.set({ tiers } as never), unknown("tiers.levels.0.benefits", "earnMultipler")],
      [
        () =>
          t.admin.programme.tiers.set({
            tiers: { basis: "spend", window: "lifetime", levels: [level], windw: 1 },
          } as never),
        unknown("tiers", "windw"),
      ],
      [
        () => t.admin.programme.expiry.set({ expiry: { kind: "inactivity", months: 6, noticeDay: 7 } } as never),
        unknown("expiry", "noticeDay"),
      ],
      [
        () =>
          t.admin.programme.stampCards.upsert({
            card: { id: "coffee", name: "Coffee", stampsRequired: 10, match: { categories: ["coffee"], sku: ["X"] } },
          } as never),
        unknown("card.match", "sku"),
      ],
      [
        () => t.admin.programme.redemption.set({ redemption: { points: 100, value: 500, minPoint: 50 } } as never),
        unknown("redemption", "minPoint"),
      ],
      [
        () =>
          t.admin.programme.rewards.upsert({
            reward: { id: "puff", name: "Puff", points: 20, benefit: { kind: "fixed_off", amount: 300, maxAmount: 1 } },
          } as never),
        unknown("reward.benefit", "maxAmount"),
      ],
    ];
    for (const [call, issue] of cases) expect(issuesOf(await failure(call()))).toEqual([issue]);
    expect(await t.admin.programme.versions()).toEqual(before);
  });

  it("the same changes with only their own keys take effect as written", async () => {
    const t = await tenantCallers(db);
    await t.admin.programme.caps.set({ caps: { perTransaction: 100, perDay: 500 } });
    const later = inMs(24 * HOUR);
    const scheduled = await t.admin.programme.pendingDays.set({ days: 3, effectiveFrom: later });
    expect(Date.parse(scheduled.effectiveFrom)).toBe(Date.parse(later));
    const version = await t.admin.programme.version({ version: scheduled.version });
    expect(version.config).toMatchObject({ caps: { perTransaction: 100, perDay: 500 }, pendingDays: 3 });
  });
});
