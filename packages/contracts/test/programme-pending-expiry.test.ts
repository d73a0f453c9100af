import { describe, expect, it } from "vitest";
import { ProgrammeConfig, ProgrammeConfigInput } from "../src/index.ts";

const base = { id: "base", name: "1 point per 1.00", type: "base_rate", pointsPerUnit: 1, unitMinor: 100 };
const programme = (pendingDays: number, months: number) => ({
  rules: [base],
  pendingDays,
  expiry: { kind: "after_earning", months, noticeDays: 14 },
});
const issuesOf = (doc: unknown) => {
  const parsed = ProgrammeConfigInput.safeParse(doc);
  return parsed.success ? [] : parsed.error.issues.map((i) => [i.path.join("."), i.message]);
};

describe("a pending period against an after_earning expiry", () => {
  it("is refused as written when the shortest lifetime (28 days a month) is not longer, on both fields", () => {
    // A month from 31 January ends on 28 February: points pending 30 days would expire before they could be spent.
    expect(issuesOf(programme(30, 1))).toEqual([
      [
        "pendingDays",
        "must be fewer than 28 days: expiry.months 1 can be as short as 28 days, and points would expire before they could be spent",
      ],
      [
        "expiry.months",
        "must last longer than pendingDays (30): expiry.months 1 can be as short as 28 days, and points would expire before they could be spent",
      ],
    ]);
    expect(issuesOf(programme(28, 1)).map(([path]) => path)).toEqual(["pendingDays", "expiry.months"]);
    expect(issuesOf(programme(364, 13)).map(([path]) => path)).toEqual(["pendingDays", "expiry.months"]);
  });

  it("is accepted when every lot outlives its pending period, and under the other policies", () => {
    expect(issuesOf(programme(27, 1))).toEqual([]);
    expect(issuesOf(programme(365, 14))).toEqual([]);
    expect(issuesOf({ rules: [base], pendingDays: 60, expiry: { kind: "inactivity", months: 1 } })).toEqual([]);
    expect(issuesOf({ rules: [base], pendingDays: 60, expiry: { kind: "none" } })).toEqual([]);
  });

  it("still loads a stored version that has such a pair: reading stays tolerant", () => {
    expect(ProgrammeConfig.parse(programme(30, 1))).toMatchObject({ pendingDays: 30, expiry: { months: 1 } });
  });
});
