import { defaultProgramme, MultiplierRule, type ProgrammeConfig, TierProgramme } from "@regulars/contracts";
import { DomainError } from "@regulars/errors";
import { describe, expect, it } from "vitest";
import { disableRule, type ProgrammeEdit, setPendingDays, setTiers, upsertRule } from "../src/edits.ts";
import { versionInForce } from "../src/in-force.ts";
import { planChange, refuseOverwritingScheduled, ScheduledAhead } from "../src/plan-change.ts";

// A fixed clock: planning is pure, so "now" is whatever the caller says.
const now = new Date("2024-03-01T12:00:00.000Z");
const hours = (n: number) => new Date(now.getTime() + n * 3_600_000);
const v = (version: number, effectiveFrom: Date) => ({ version, effectiveFrom });
const refusal = (fn: () => unknown): DomainError => {
  try {
    fn();
  } catch (e) {
    if (e instanceof DomainError) return e;
    throw e;
  }
  throw new Error("expected a refusal");
};

describe("planChange", () => {
  const inForce = v(2, hours(-48));
  const scheduled = v(3, hours(24));

  it("changes the latest version from now when nothing is scheduled", () => {
    expect(planChange([v(1, new Date(0)), inForce], now, {})).toEqual([{ base: inForce, effectiveFrom: now }]);
  });

  it("refuses a change before a scheduled version, naming the version and when it takes effect", () => {
    const error = refusal(() => planChange([inForce, scheduled], now, {}));
    expect(error.code).toBe("invalid_request");
    expect(error.issues).toEqual([expect.objectContaining({ path: "effectiveFrom" })]);
    expect(error.message).toContain(`version 3 is scheduled to take effect then`);
    expect(error.message).toContain(hours(24).toISOString());
    expect(error).toBeInstanceOf(ScheduledAhead);
    expect((error as ScheduledAhead).scheduled).toEqual(scheduled);
  });

  it("changes the scheduled version when the change takes effect with it", () => {
    expect(planChange([inForce, scheduled], now, { effectiveFrom: hours(24) })).toEqual([
      { base: scheduled, effectiveFrom: hours(24) },
    ]);
  });

  it("with alsoScheduled, changes the version in force from now and each scheduled one at its own time", () => {
    const later = v(4, hours(72));
    expect(planChange([inForce, scheduled, later], now, { alsoScheduled: true })).toEqual([
      { base: inForce, effectiveFrom: now },
      { base: scheduled, effectiveFrom: hours(24) },
      { base: later, effectiveFrom: hours(72) },
    ]);
  });

  it("with alsoScheduled, the new versions are the ones in force at every instant from now on", () => {
    const versions = [inForce, scheduled];
    const plan = planChange(versions, now, { alsoScheduled: true });
    const written = plan.map((p, i) => ({ version: 4 + i, effectiveFrom: p.effectiveFrom, base: p.base }));
    const all = [...versions, ...written];
    expect(versionInForce(all, hours(1))).toMatchObject({ version: 4, base: inForce });
    expect(versionInForce(all, hours(24))).toMatchObject({ version: 5, base: scheduled });
    // What was in force before the change stays as it was.
    expect(versionInForce(all, hours(-1))).toBe(inForce);
    // A second urgent change builds on the first one's versions, not on the ones they replaced.
    expect(planChange(all, hours(2), { alsoScheduled: true }).map((p) => p.base?.version)).toEqual([4, 5]);
  });

  it("with alsoScheduled and no version yet in force, starts from the default programme", () => {
    expect(planChange([scheduled], now, { alsoScheduled: true })).toEqual([
      { base: null, effectiveFrom: now },
      { base: scheduled, effectiveFrom: hours(24) },
    ]);
  });

  it("refuses the past either way: history is never rewritten", () => {
    for (const alsoScheduled of [false, true]) {
      const error = refusal(() => planChange([inForce], now, { effectiveFrom: hours(-1), alsoScheduled }));
      expect(error.issues).toEqual([expect.objectContaining({ path: "effectiveFrom" })]);
    }
    // Within the clock skew allowed, "now" on the admin's clock is still now.
    expect(planChange([inForce], now, { effectiveFrom: new Date(now.getTime() - 30_000) })).toHaveLength(1);
  });
});

describe("refuseOverwritingScheduled", () => {
  const tiers = (levels: [string, number][]) =>
    TierProgramme.parse({
      basis: "points_earned",
      window: "lifetime",
      levels: [["bronze", 0] as const, ...levels].map(([id, threshold]) => ({ id, name: id, threshold })),
    });
  const tuesdays = MultiplierRule.parse({ id: "tuesday", type: "multiplier", factor: 2, weekdays: [2] });
  const inForceConfig = upsertRule(
    setTiers(
      defaultProgramme,
      tiers([
        ["silver", 500],
        ["gold", 1000],
      ]),
    ),
    tuesdays,
  );
  const applyTo = (edit: ProgrammeEdit, scheduledConfig: ProgrammeConfig) =>
    [
      { version: 3, effectiveFrom: now, config: inForceConfig },
      { version: 4, effectiveFrom: hours(24), config: scheduledConfig },
    ].map(({ config, ...v }) => ({ ...v, before: config, after: edit(config) }));

  it("lets a change be made to both versions where they agree on what it touches", () => {
    // The urgent fix: the same rule in both, while the scheduled version's tiers are its own.
    const scheduled = setTiers(
      inForceConfig,
      tiers([
        ["silver", 400],
        ["gold", 800],
        ["platinum", 2000],
      ]),
    );
    expect(() => refuseOverwritingScheduled(applyTo((c) => disableRule(c, "tuesday"), scheduled))).not.toThrow();
    expect(() => refuseOverwritingScheduled(applyTo((c) => setPendingDays(c, 3), scheduled))).not.toThrow();
  });

  it("refuses replacing a section the scheduled version changed, naming the section and the version", () => {
    const scheduled = setTiers(
      inForceConfig,
      tiers([
        ["silver", 400],
        ["gold", 800],
        ["platinum", 2000],
      ]),
    );
    const renamedGold = tiers([
      ["silver", 500],
      ["gold", 1000],
    ]);
    renamedGold.levels[2] = { ...renamedGold.levels[2], name: "Gold" } as (typeof renamedGold.levels)[number];
    const error = refusal(() => refuseOverwritingScheduled(applyTo((c) => setTiers(c, renamedGold), scheduled)));
    expect(error.code).toBe("conflict");
    expect(error.message).toContain("version 4, scheduled from");
    expect(error.message).toContain("has tiers of its own");
    expect(error.message).toContain("scheduled version only");
    expect(error.issues).toEqual([expect.objectContaining({ path: "alsoScheduled" })]);
  });

  it("refuses even a save that changes nothing in force, when it would still undo the scheduled version", () => {
    const scheduled = setTiers(inForceConfig, tiers([["silver", 400]]));
    const error = refusal(() =>
      refuseOverwritingScheduled(applyTo((c) => setTiers(c, inForceConfig.tiers ?? null), scheduled)),
    );
    expect(error.message).toContain("has tiers of its own");
  });

  it("compares rules entry by entry: refuses the one the scheduled version changed, not its neighbours", () => {
    const scheduled = disableRule(inForceConfig, "tuesday");
    const doubled = { ...tuesdays, factor: 3 };
    const error = refusal(() => refuseOverwritingScheduled(applyTo((c) => upsertRule(c, doubled), scheduled)));
    expect(error.message).toContain("has rule 'tuesday' of its own");
    const newRule = { ...tuesdays, id: "friday", weekdays: [5] };
    expect(() => refuseOverwritingScheduled(applyTo((c) => upsertRule(c, newRule), scheduled))).not.toThrow();
  });

  it("refuses adding an entry whose id the scheduled version already uses for something else", () => {
    const friday = { ...tuesdays, id: "friday", weekdays: [5] };
    const scheduled = upsertRule(inForceConfig, friday);
    const error = refusal(() =>
      refuseOverwritingScheduled(applyTo((c) => upsertRule(c, { ...friday, factor: 5 }), scheduled)),
    );
    expect(error.message).toContain("has rule 'friday' of its own");
  });
});
