import { defaultProgramme, EarningRule, MultiplierRule, StampCard, TierProgramme } from "@regulars/contracts";
import { DomainError } from "@regulars/errors";
import { describe, expect, it } from "vitest";
import {
  changedParts,
  disableRule,
  disableStampCard,
  setCaps,
  setMilestones,
  setPendingDays,
  setTiers,
  upsertRule,
  upsertStampCard,
  validateProgramme,
} from "../src/edits.ts";

const tuesdays = MultiplierRule.parse({ id: "tuesday", type: "multiplier", factor: 2, weekdays: [2] });
const tiers = TierProgramme.parse({
  basis: "points_earned",
  window: "lifetime",
  levels: [
    { id: "bronze", name: "Bronze", threshold: 0 },
    { id: "gold", name: "Gold", threshold: 500, benefits: { earnMultiplier: 2 } },
  ],
});
const thrown = (fn: () => unknown): DomainError => {
  try {
    fn();
  } catch (e) {
    if (e instanceof DomainError) return e;
    throw e;
  }
  throw new Error("expected a DomainError");
};

describe("programme edits", () => {
  it("appends a new rule and replaces an existing one in place, leaving the input untouched", () => {
    const withTuesday = upsertRule(defaultProgramme, tuesdays);
    expect(withTuesday.rules.map((r) => r.id)).toEqual(["base", "tuesday"]);
    expect(defaultProgramme.rules.map((r) => r.id)).toEqual(["base"]);

    const richerBase = EarningRule.parse({ id: "base", type: "base_rate", pointsPerUnit: 2, unitMinor: 100 });
    const replaced = upsertRule(withTuesday, richerBase);
    expect(replaced.rules.map((r) => r.id)).toEqual(["base", "tuesday"]);
    expect(replaced.rules[0]).toMatchObject({ pointsPerUnit: 2 });
    expect(withTuesday.rules[0]).toMatchObject({ pointsPerUnit: 1 });
  });

  it("disables a rule or stamp card without removing it, and refuses unknown ids", () => {
    const disabled = disableRule(defaultProgramme, "base");
    expect(disabled.rules).toEqual([{ ...defaultProgramme.rules[0], enabled: false }]);
    expect(thrown(() => disableRule(defaultProgramme, "nope"))).toMatchObject({ code: "not_found" });

    const card = StampCard.parse({ id: "coffee", name: "10th coffee free", stampsRequired: 10 });
    const withCard = upsertStampCard(defaultProgramme, card);
    expect(disableStampCard(withCard, "coffee").stampCards).toEqual([{ ...card, enabled: false }]);
    expect(thrown(() => disableStampCard(withCard, "tea"))).toMatchObject({ code: "not_found" });
  });

  it("sets and clears tiers, caps, pending days and milestones (ascending, once each)", () => {
    expect(setTiers(defaultProgramme, tiers).tiers).toEqual(tiers);
    expect("tiers" in setTiers(setTiers(defaultProgramme, tiers), null)).toBe(false);
    expect(setCaps(defaultProgramme, { perDay: 500 }).caps).toEqual({ perDay: 500 });
    expect(setPendingDays(defaultProgramme, 14).pendingDays).toBe(14);
    expect(setMilestones(defaultProgramme, [500, 100, 250, 100]).milestones).toEqual([100, 250, 500]);
  });
});

describe("validateProgramme", () => {
  it("reports schema issues with the dotted path of the offending field", () => {
    const broken = { ...defaultProgramme, rules: [...defaultProgramme.rules, { ...tuesdays, factor: 0 }] };
    const error = thrown(() => validateProgramme(broken));
    expect(error.code).toBe("invalid_request");
    expect(error.issues).toEqual([expect.objectContaining({ path: "rules.1.factor" })]);
  });

  it("refuses, by name, a key a programme does not have, which the schema would drop and fill with defaults", () => {
    const { rules, ...rest } = defaultProgramme;
    const typo = thrown(() => validateProgramme({ ...rest, rule: rules }));
    expect(typo.issues).toEqual([expect.objectContaining({ path: "rule" })]);
    expect(typo.issues![0]!.message).toMatch(/^is not part of a programme \(rules, /);
    // What `programme show` prints, not unwrapped: its version fields and the config beside them.
    const shown = thrown(() => validateProgramme({ version: 3, config: defaultProgramme }));
    expect(shown.issues!.map((i) => i.path)).toEqual(["version", "config"]);
  });

  it("reports rules that filter on tiers the programme does not have, and inverted validity windows", () => {
    const goldOnly = EarningRule.parse({
      id: "gold-bonus",
      type: "per_visit",
      points: 10,
      tiers: ["bronze", "platinum"],
    });
    expect(thrown(() => validateProgramme(upsertRule(setTiers(defaultProgramme, tiers), goldOnly))).issues).toEqual([
      { path: "rules.1.tiers.1", message: "the programme has no tier 'platinum'" },
    ]);
    expect(
      validateProgramme(upsertRule(setTiers(defaultProgramme, tiers), { ...goldOnly, tiers: ["gold"] })).rules,
    ).toHaveLength(2);

    const backwards = { ...tuesdays, validFrom: "2025-03-01T00:00:00Z", validTo: "2025-02-01T00:00:00Z" };
    expect(thrown(() => validateProgramme(upsertRule(defaultProgramme, backwards))).issues).toEqual([
      { path: "rules.1.validTo", message: "must be later than validFrom" },
    ]);
  });
});

describe("changedParts", () => {
  it("narrows rules to the ones that changed and keeps whole sections otherwise", () => {
    const before = upsertRule(defaultProgramme, tuesdays);
    const after = setPendingDays(upsertRule(before, { ...tuesdays, factor: 3 }), 7);
    expect(changedParts(before, after)).toEqual({
      before: { rules: [tuesdays], pendingDays: 0 },
      after: { rules: [{ ...tuesdays, factor: 3 }], pendingDays: 7 },
    });
    expect(changedParts(defaultProgramme, upsertRule(defaultProgramme, tuesdays))).toEqual({
      before: { rules: [] },
      after: { rules: [tuesdays] },
    });
    expect(changedParts(defaultProgramme, setTiers(defaultProgramme, tiers))).toEqual({
      before: { tiers: null },
      after: { tiers },
    });
  });

  it("ignores key order, as jsonb does not keep it", () => {
    const reordered = Object.fromEntries(Object.entries(defaultProgramme).reverse()) as typeof defaultProgramme;
    expect(Object.keys(reordered)).not.toEqual(Object.keys(defaultProgramme));
    expect(changedParts(defaultProgramme, reordered)).toEqual({ before: {}, after: {} });
  });
});
