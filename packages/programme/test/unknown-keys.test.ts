import { defaultProgramme, ProgrammeConfig } from "@regulars/contracts";
import { DomainError } from "@regulars/errors";
import { describe, expect, it } from "vitest";
import { validateProgramme } from "../src/edits.ts";

const issuesOf = (candidate: unknown) => {
  try {
    validateProgramme(candidate);
  } catch (e) {
    if (e instanceof DomainError) return e.issues;
    throw e;
  }
  throw new Error("expected the programme to be refused");
};
const unknown = (path: string, key: string) => ({ path, message: `unknown field: "${key}"` });

// A `programme set` file: each misspelt key, dropped, would put a version live without that cap, limit or condition.
describe("validateProgramme refuses unknown keys below the top level", () => {
  const base = defaultProgramme.rules[0];

  it("names the misspelt cap, redemption limit and stamp card condition", () => {
    const file = {
      rules: [base],
      caps: { perDAY: 500 },
      redemption: { points: 100, value: 500, maxDiscountPerOrdr: 1000 },
      stampCards: [{ id: "coffee", name: "Coffee", stampsRequired: 10, minAmmount: 500 }],
    };
    expect(issuesOf(file)).toEqual([
      unknown("caps", "perDAY"),
      unknown("stampCards.0", "minAmmount"),
      unknown("redemption", "maxDiscountPerOrdr"),
    ]);
  });

  it("names unknown keys in tiers, expiry, refunds and rewards, at any depth", () => {
    const tiers = {
      basis: "spend",
      window: "lifetime",
      levels: [{ id: "base", name: "Base", threshold: 0, benefits: { earnMultipler: 2 } }],
    };
    const reward = { id: "puff", name: "Veg puff", points: 20, benefit: { kind: "fixed_off", amount: 300, max: 1 } };
    const file = {
      rules: [base],
      tiers,
      expiry: { kind: "inactivity", months: 12, noticeDay: 7 },
      refunds: { stampCard: false },
      rewards: [reward],
    };
    expect(issuesOf(file)).toEqual([
      unknown("tiers.levels.0.benefits", "earnMultipler"),
      unknown("expiry", "noticeDay"),
      unknown("refunds", "stampCard"),
      unknown("rewards.0.benefit", "max"),
    ]);
  });

  it("still reads a stored programme with a key this version does not know", () => {
    const stored = { ...defaultProgramme, caps: { perDay: 500, perWeek: 2000 } };
    expect(ProgrammeConfig.parse(stored).caps).toEqual({ perDay: 500 });
    expect(validateProgramme({ ...defaultProgramme, caps: { perDay: 500 } }).caps).toEqual({ perDay: 500 });
  });
});
