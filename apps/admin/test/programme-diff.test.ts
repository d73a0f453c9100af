import { describe, expect, it } from "vitest";
import { diffConfigs } from "../src/pages/programme/diff.ts";

const base = { id: "base", type: "base_rate", pointsPerUnit: 1, unitMinor: 100, channels: [] };

describe("diffConfigs", () => {
  it("names each changed setting by a readable path, with its old and new value", () => {
    const before = { rules: [base], pendingDays: 0, caps: {} };
    const after = { rules: [{ ...base, pointsPerUnit: 2, channels: ["kiosk"] }], pendingDays: 0, caps: {} };
    expect(diffConfigs(before, after)).toEqual([
      { path: "rules[base].pointsPerUnit", before: "1", after: "2" },
      { path: "rules[base].channels", before: "[]", after: '["kiosk"]' },
    ]);
  });

  it("compares lists of things with ids by id, so a reordering changes nothing", () => {
    const drinks = { id: "drinks", type: "per_item", pointsPerItem: 1 };
    expect(diffConfigs({ rules: [base, drinks] }, { rules: [drinks, base] })).toEqual([]);
  });

  it("shows added and removed settings with the absent side undefined", () => {
    const before = { rules: [base], expiry: { kind: "none" } };
    const after = { rules: [], expiry: { kind: "inactivity", months: 12 }, tiers: { basis: "orders" } };
    expect(diffConfigs(before, after)).toEqual([
      { path: "rules", before: undefined, after: "[]" },
      { path: "expiry.kind", before: '"none"', after: '"inactivity"' },
      { path: "expiry.months", before: undefined, after: "12" },
      { path: "tiers.basis", before: undefined, after: '"orders"' },
      { path: "rules[base].id", before: '"base"', after: undefined },
      { path: "rules[base].type", before: '"base_rate"', after: undefined },
      { path: "rules[base].pointsPerUnit", before: "1", after: undefined },
      { path: "rules[base].unitMinor", before: "100", after: undefined },
      { path: "rules[base].channels", before: "[]", after: undefined },
    ]);
  });

  it("finds nothing between equal documents", () => {
    expect(diffConfigs({ rules: [base], milestones: [100, 250] }, { rules: [base], milestones: [100, 250] })).toEqual(
      [],
    );
  });
});
