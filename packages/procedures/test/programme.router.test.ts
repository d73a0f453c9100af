import type { Db } from "@regulars/db";
import { testDb } from "@regulars/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Caller, failure, HOUR, inMs, issuesOf, tenantCallers } from "./helpers.ts";

let db: Db;
beforeAll(() => {
  db = testDb();
});
afterAll(async () => {
  await db?.$disconnect();
});

const tuesdays = {
  id: "tuesday",
  name: "Double points on Tuesdays",
  type: "multiplier" as const,
  factor: 2,
  weekdays: [2],
};
const tiers = {
  basis: "points_earned" as const,
  window: "lifetime" as const,
  levels: [
    { id: "bronze", name: "Bronze", threshold: 0 },
    { id: "gold", name: "Gold", threshold: 500, benefits: { earnMultiplier: 2 } },
  ],
};
const coffeeCard = { id: "coffee", name: "10th coffee free", stampsRequired: 10 };

describe("programme mutations", () => {
  it("each mutation stores the next version and an audit row naming the admin key", async () => {
    const t = await tenantCallers(db);
    const mutations: [action: string, target: string | null, run: (c: Caller) => Promise<{ version: number }>][] = [
      ["programme.rules.upsert", "tuesday", (c) => c.programme.rules.upsert({ rule: tuesdays })],
      ["programme.rules.disable", "tuesday", (c) => c.programme.rules.disable({ id: "tuesday" })],
      ["programme.tiers.set", null, (c) => c.programme.tiers.set({ tiers })],
      ["programme.expiry.set", null, (c) => c.programme.expiry.set({ expiry: { kind: "inactivity", months: 12 } })],
      ["programme.stampCards.upsert", "coffee", (c) => c.programme.stampCards.upsert({ card: coffeeCard })],
      ["programme.stampCards.disable", "coffee", (c) => c.programme.stampCards.disable({ id: "coffee" })],
      ["programme.milestones.set", null, (c) => c.programme.milestones.set({ milestones: [250, 100] })],
      ["programme.caps.set", null, (c) => c.programme.caps.set({ caps: { perDay: 500 } })],
      ["programme.pendingDays.set", null, (c) => c.programme.pendingDays.set({ days: 14 })],
    ];
    let expected = 1;
    for (const [action, target, run] of mutations) {
      expected += 1;
      expect((await run(t.admin)).version, action).toBe(expected);
      const [newest] = await t.admin.programme.versions();
      expect(newest, action).toMatchObject({ version: expected, createdBy: t.adminKeyId, inForce: true });
      const { items } = await t.admin.audit.list({ limit: 1 });
      expect(items[0], action).toMatchObject({
        action,
        target,
        actor: t.adminKeyId,
        details: expect.objectContaining({ version: expected }),
      });
    }
    expect(await db.auditLog.count({ where: { tenantId: t.tenantId } })).toBe(mutations.length);

    const { config } = await t.admin.programme.get();
    expect(config).toMatchObject({
      rules: [
        { id: "base", enabled: true },
        { id: "tuesday", enabled: false, factor: 2 },
      ],
      tiers: { levels: [{ id: "bronze" }, { id: "gold" }] },
      expiry: { kind: "inactivity", months: 12, noticeDays: 14 },
      stampCards: [{ id: "coffee", enabled: false, stampsRequired: 10, per: "visit" }],
      milestones: [100, 250],
      caps: { perDay: 500 },
      pendingDays: 14,
    });
  });

  it("audits only the changed parts: the rule before and after", async () => {
    const t = await tenantCallers(db);
    await t.admin.programme.rules.upsert({ rule: tuesdays });
    await t.admin.programme.rules.upsert({ rule: { ...tuesdays, factor: 3 } });
    const { items } = await t.admin.audit.list({ limit: 1 });
    expect(items[0]!.details).toEqual({
      version: 3,
      effectiveFrom: expect.any(String),
      before: { rules: [expect.objectContaining({ id: "tuesday", factor: 2 })] },
      after: { rules: [expect.objectContaining({ id: "tuesday", factor: 3 })] },
    });
  });

  it("disable keeps the rule in the programme but no longer enabled", async () => {
    const t = await tenantCallers(db);
    await t.admin.programme.rules.upsert({ rule: tuesdays });
    await t.admin.programme.rules.disable({ id: "tuesday" });
    const { rules, version } = await t.admin.programme.rules.list();
    expect(version).toBe(3);
    expect(rules.find((r) => r.id === "tuesday")).toMatchObject({ type: "multiplier", factor: 2, enabled: false });

    const unknown = await failure(t.admin.programme.rules.disable({ id: "no-such-rule" }));
    expect(unknown.code).toBe("NOT_FOUND");
    expect((await t.admin.programme.versions())[0]!.version).toBe(3);
  });

  it("five concurrent upserts make five consecutive versions and lose none of the rules", async () => {
    const t = await tenantCallers(db);
    const ids = ["r1", "r2", "r3", "r4", "r5"];
    const results = await Promise.all(
      ids.map((id) => t.admin.programme.rules.upsert({ rule: { id, type: "per_visit", points: 5 } })),
    );
    expect(results.map((r) => r.version).sort()).toEqual([2, 3, 4, 5, 6]);
    const { version, config } = await t.admin.programme.get();
    expect(version).toBe(6);
    expect(config.rules.map((r) => r.id).sort()).toEqual(["base", ...ids]);
    const audit = await t.admin.audit.list({ limit: 10 });
    expect(audit.items.map((a) => (a.details as { version: number }).version).sort()).toEqual([2, 3, 4, 5, 6]);
  });
});

describe("programme validation", () => {
  it("refuses an invalid rule with BAD_REQUEST and the path of the field", async () => {
    const t = await tenantCallers(db);
    const error = await failure(t.admin.programme.rules.upsert({ rule: { ...tuesdays, factor: 0 } }));
    expect(error.code).toBe("BAD_REQUEST");
    expect(issuesOf(error)).toEqual([expect.objectContaining({ path: "rule.factor" })]);
    expect(await t.admin.programme.versions()).toHaveLength(1);
  });

  it("refuses a programme that would be inconsistent, naming the rule and field in the whole document", async () => {
    const t = await tenantCallers(db);
    const error = await failure(
      t.admin.programme.rules.upsert({ rule: { id: "gold-visit", type: "per_visit", points: 10, tiers: ["gold"] } }),
    );
    expect(error.code).toBe("BAD_REQUEST");
    expect(issuesOf(error)).toEqual([{ path: "rules.1.tiers.0", message: "the programme has no tier 'gold'" }]);
    expect(error.message).toContain("rules.1.tiers.0");

    await t.admin.programme.tiers.set({ tiers });
    await t.admin.programme.rules.upsert({
      rule: { id: "gold-visit", type: "per_visit", points: 10, tiers: ["gold"] },
    });
    // Removing the tiers now would leave the rule pointing at nothing.
    const dangling = await failure(t.admin.programme.tiers.set({ tiers: null }));
    expect(issuesOf(dangling)).toEqual([expect.objectContaining({ path: "rules.1.tiers.0" })]);
  });

  it("refuses an effectiveFrom in the past: history is never rewritten", async () => {
    const t = await tenantCallers(db);
    const error = await failure(t.admin.programme.rules.upsert({ rule: tuesdays, effectiveFrom: inMs(-HOUR) }));
    expect(error.code).toBe("BAD_REQUEST");
    expect(issuesOf(error)).toEqual([expect.objectContaining({ path: "effectiveFrom" })]);
    expect(await t.admin.programme.versions()).toHaveLength(1);
    expect(await db.auditLog.count({ where: { tenantId: t.tenantId } })).toBe(0);
  });

  it("a future-dated version changes nothing now, applies from its time, and later edits may not precede it", async () => {
    const t = await tenantCallers(db);
    const from = inMs(HOUR);
    const scheduled = await t.admin.programme.rules.upsert({ rule: tuesdays, effectiveFrom: from });
    expect(scheduled).toMatchObject({ version: 2, effectiveFrom: new Date(from).toISOString() });

    const now = await t.admin.programme.get();
    expect(now.version).toBe(1);
    expect(now.config.rules.map((r) => r.id)).toEqual(["base"]);
    const later = await t.admin.programme.get({ at: from });
    expect(later.version).toBe(2);
    expect(later.config.rules.map((r) => r.id)).toEqual(["base", "tuesday"]);
    expect(await t.admin.programme.versions()).toMatchObject([
      { version: 2, inForce: false },
      { version: 1, inForce: true },
    ]);

    // An edit taking effect now would sit before the scheduled version and be shadowed by it.
    const early = await failure(t.admin.programme.pendingDays.set({ days: 3 }));
    expect(early.code).toBe("BAD_REQUEST");
    expect(issuesOf(early)).toEqual([expect.objectContaining({ path: "effectiveFrom" })]);
    const after = await t.admin.programme.pendingDays.set({ days: 3, effectiveFrom: inMs(2 * HOUR) });
    expect(after.config).toMatchObject({ pendingDays: 3, rules: [{ id: "base" }, { id: "tuesday" }] });
  });

  it("an urgent change with alsoScheduled applies now and is kept by the scheduled version, which stays scheduled", async () => {
    const t = await tenantCallers(db);
    const from = inMs(HOUR);
    await t.admin.programme.rules.upsert({ rule: { ...tuesdays, factor: 10 } });
    await t.admin.programme.milestones.set({ milestones: [100], effectiveFrom: from });

    // The wrong 10x rule is in force and carried into the scheduled version: the fix must reach both.
    const fixed = await t.admin.programme.rules.upsert({ rule: { ...tuesdays, factor: 2 }, alsoScheduled: true });
    expect(fixed).toMatchObject({ version: 4, config: { rules: [{ id: "base" }, { id: "tuesday", factor: 2 }] } });
    expect((await t.admin.programme.get()).version).toBe(4);
    const later = await t.admin.programme.get({ at: from });
    expect(later).toMatchObject({ version: 5, effectiveFrom: new Date(from).toISOString() });
    expect(later.config).toMatchObject({ milestones: [100], rules: [{ id: "base" }, { id: "tuesday", factor: 2 }] });
    // History compares each version with the one it was made from: 5 with the scheduled 3, not with 4.
    expect(await t.admin.programme.versions()).toMatchObject([
      { version: 5, inForce: false, basedOn: 3 },
      { version: 4, inForce: true, basedOn: 2 },
      { version: 3, inForce: false, basedOn: 2 },
      { version: 2, inForce: false, basedOn: 1 },
      { version: 1, inForce: false, basedOn: 0 },
    ]);
    const audits = await db.auditLog.findMany({ where: { tenantId: t.tenantId, action: "programme.rules.upsert" } });
    const details = audits.map((a) => a.details as { version: number }).sort((a, b) => a.version - b.version);
    expect(details).toEqual([
      expect.objectContaining({ version: 2 }),
      expect.objectContaining({ version: 4, basedOn: 2 }),
      expect.objectContaining({ version: 5, basedOn: 3 }),
    ]);
  });

  it("refuses alsoScheduled where the scheduled version has its own tiers or rule, and writes nothing", async () => {
    const t = await tenantCallers(db);
    const from = inMs(HOUR);
    await t.admin.programme.tiers.set({ tiers });
    await t.admin.programme.rules.upsert({ rule: tuesdays });
    const platinum = { id: "platinum", name: "Platinum", threshold: 2000 };
    await t.admin.programme.tiers.set({
      tiers: { ...tiers, levels: [...tiers.levels, platinum] },
      effectiveFrom: from,
    });
    await t.admin.programme.rules.disable({ id: "tuesday", effectiveFrom: from });

    // A typo fixed in the tiers read from the version in force would take Platinum out of the scheduled version.
    const typo = { ...tiers, levels: tiers.levels.map((l) => (l.id === "gold" ? { ...l, name: "Gold!" } : l)) };
    const refused = await failure(t.admin.programme.tiers.set({ tiers: typo, alsoScheduled: true }));
    expect(refused.code).toBe("CONFLICT");
    expect(refused.message).toContain("version 5, scheduled from");
    expect(refused.message).toContain("has tiers of its own");
    expect(issuesOf(refused)).toEqual([expect.objectContaining({ path: "alsoScheduled" })]);
    const rule = await failure(
      t.admin.programme.rules.upsert({ rule: { ...tuesdays, factor: 3 }, alsoScheduled: true }),
    );
    expect(rule.message).toContain("has rule 'tuesday' of its own");
    expect((await t.admin.programme.versions()).map((v) => v.version)).toEqual([5, 4, 3, 2, 1]);

    // What both versions agree on may still be changed in both.
    await t.admin.programme.pendingDays.set({ days: 2, alsoScheduled: true });
    const later = await t.admin.programme.get({ at: from });
    expect(later.config).toMatchObject({ pendingDays: 2, rules: [{ id: "base" }, { id: "tuesday", enabled: false }] });
    expect(later.config.tiers?.levels.map((l) => l.id)).toEqual(["bronze", "gold", "platinum"]);
  });
});

describe("programme access", () => {
  it("kiosk, pos and analyst keys cannot change or read the programme", async () => {
    const t = await tenantCallers(db);
    for (const caller of [t.kiosk, t.pos, t.analyst]) {
      expect((await failure(caller.programme.rules.upsert({ rule: tuesdays }))).code).toBe("FORBIDDEN");
      expect((await failure(caller.programme.rules.disable({ id: "base" }))).code).toBe("FORBIDDEN");
      expect((await failure(caller.programme.tiers.set({ tiers: null }))).code).toBe("FORBIDDEN");
      expect((await failure(caller.programme.pendingDays.set({ days: 1 }))).code).toBe("FORBIDDEN");
      expect((await failure(caller.programme.get())).code).toBe("FORBIDDEN");
      expect((await failure(caller.audit.list())).code).toBe("FORBIDDEN");
    }
    expect(await t.admin.programme.versions()).toHaveLength(1);
  });

  it("another tenant's admin sees and changes only its own programme and audit log", async () => {
    const a = await tenantCallers(db, "Tenant A");
    const b = await tenantCallers(db, "Tenant B");
    await b.admin.programme.rules.upsert({ rule: tuesdays });
    await b.admin.programme.rules.disable({ id: "base" });

    expect(await a.admin.programme.get()).toMatchObject({
      version: 1,
      config: { rules: [{ id: "base", enabled: true }] },
    });
    expect(await a.admin.programme.versions()).toHaveLength(1);
    expect((await a.admin.audit.list()).items).toEqual([]);
    expect((await b.admin.audit.list()).items.map((i) => i.action)).toEqual([
      "programme.rules.disable",
      "programme.rules.upsert",
    ]);
    // A's admin edits A, whatever it asks for.
    expect((await failure(a.admin.programme.rules.disable({ id: "tuesday" }))).code).toBe("NOT_FOUND");
  });
});
