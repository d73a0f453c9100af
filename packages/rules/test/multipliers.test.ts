import { describe, expect, it } from "vitest";
import { evaluateEarning } from "../src/index.ts";
import {
  base,
  birthday5x,
  line,
  member,
  newDishes3x,
  noAlcohol,
  programme,
  sale,
  tiers,
  tuesdayDouble,
  WARSAW,
} from "./fixtures.ts";

const burger = [line("BURGER", 1450)];
const TUESDAY_NOON = "2025-03-04T12:00:00+01:00";

describe("double points on Tuesdays, in the tenant's time zone", () => {
  const p = programme({ rules: [base, tuesdayDouble] });
  const points = (occurredAt: string, timezone = WARSAW) =>
    evaluateEarning(p, sale(burger, { occurredAt }), member(), timezone).points;

  it("Tuesday 23:30 in Warsaw (22:30 UTC, still Tuesday both ways) is doubled", () => {
    expect(points("2025-03-04T23:30:00+01:00")).toBe(29);
    expect(points("2025-03-04T22:30:00Z")).toBe(29);
  });

  it("Monday 23:30 UTC is Tuesday 00:30 in Warsaw: doubled there, not for a UTC tenant", () => {
    expect(points("2025-03-03T23:30:00Z")).toBe(29);
    expect(points("2025-03-03T23:30:00Z", "UTC")).toBe(14);
  });

  it("Tuesday 23:30 UTC is already Wednesday in Warsaw: not doubled", () => {
    expect(points("2025-03-04T23:30:00Z")).toBe(14);
  });

  it("follows summer time: Tuesday 22:30 UTC in July is Wednesday 00:30 in Warsaw", () => {
    expect(points("2025-07-01T21:30:00Z")).toBe(29);
    expect(points("2025-07-01T22:30:00Z")).toBe(14);
  });
});

describe("3× on new dishes", () => {
  it("multiplies only lines tagged new", () => {
    const r = evaluateEarning(
      programme({ rules: [base, newDishes3x] }),
      sale([line("BURGER", 1450), line("VEGGIE-WRAP", 1200, { tags: ["new", "vegetarian"] })]),
      member(),
      WARSAW,
    );
    expect(r.points).toBe(50); // 14.5 + 36
    expect(r.lines.map((l) => l.multiplier)).toEqual([1, 3]);
    expect(r.rules.find((e) => e.ruleId === "new-3x")).toMatchObject({ points: 24, lines: [1] });
  });
});

describe("5× on the birthday (tenant-local date)", () => {
  const p = programme({ rules: [base, birthday5x, tuesdayDouble] });
  const points = (dateOfBirth: string | null, occurredAt: string) =>
    evaluateEarning(p, sale(burger, { occurredAt }), member({ dateOfBirth }), WARSAW).points;

  it("applies on the local birthday only", () => {
    expect(points("1990-06-15", "2025-06-14T22:30:00Z")).toBe(72); // 00:30 on June 15 in Warsaw
    expect(points("1990-06-15", "2025-06-15T22:30:00Z")).toBe(14); // already June 16 there
    expect(points(null, "2025-06-15T12:00:00+02:00")).toBe(14);
  });

  it("a Feb 29 birthday is celebrated on Feb 28 in a common year (2021), on Feb 29 in a leap year", () => {
    expect(points("2000-02-29", "2021-02-28T12:00:00+01:00")).toBe(72);
    expect(points("2000-02-29", "2021-03-01T12:00:00+01:00")).toBe(14);
    expect(points("2000-02-29", "2020-02-28T12:00:00+01:00")).toBe(14);
    expect(points("2000-02-29", "2020-02-29T12:00:00+01:00")).toBe(72);
  });

  it("on a Tuesday birthday the highest multiplier wins: 5×, not 10×", () => {
    expect(points("1990-03-04", TUESDAY_NOON)).toBe(72);
  });
});

describe("several multipliers: the highest wins unless stackable", () => {
  const basket = [
    line("BURGER", 1450),
    line("VEGGIE-WRAP", 1200, { tags: ["new"] }),
    line("BEER", 900, { category: "alcohol" }),
    line("FRIES", 350, { quantity: 2, discount: 350 }),
  ];

  it("2× Tuesday + 3× new → 3× on new lines, 2× elsewhere, with the whole explanation", () => {
    const r = evaluateEarning(
      programme({ rules: [base, noAlcohol, tuesdayDouble, newDishes3x] }),
      sale(basket, { occurredAt: TUESDAY_NOON }),
      member(),
      WARSAW,
    );
    expect(r.points).toBe(72); // 29 + 36 + 0 + 7
    expect(r.lines).toEqual([
      {
        lineNo: 0,
        amount: 1450,
        eligible: true,
        excludedBy: null,
        basePoints: 14.5,
        multiplier: 2,
        points: 29,
        rules: ["base", "tuesday-2x"],
      },
      {
        lineNo: 1,
        amount: 1200,
        eligible: true,
        excludedBy: null,
        basePoints: 12,
        multiplier: 3,
        points: 36,
        rules: ["base", "new-3x"],
      },
      {
        lineNo: 2,
        amount: 900,
        eligible: false,
        excludedBy: "no-alcohol",
        basePoints: 0,
        multiplier: 1,
        points: 0,
        rules: ["no-alcohol"],
      },
      {
        lineNo: 3,
        amount: 350,
        eligible: true,
        excludedBy: null,
        basePoints: 3.5,
        multiplier: 2,
        points: 7,
        rules: ["base", "tuesday-2x"],
      },
    ]);
    expect(r.rules).toEqual([
      { ruleId: "no-alcohol", type: "exclusion", points: 0, lines: [2], detail: "excluded lines [2]" },
      { ruleId: "base", type: "base_rate", points: 30, lines: [0, 1, 3], detail: "1 pt per 100 on 3000 paid" },
      { ruleId: "tuesday-2x", type: "multiplier", points: 18, lines: [0, 3], detail: "2×" },
      { ruleId: "new-3x", type: "multiplier", points: 24, lines: [1], detail: "3× on matching lines" },
    ]);
  });

  it("stackable 3× new on a Tuesday → 6× on new lines", () => {
    const r = evaluateEarning(
      programme({ rules: [base, noAlcohol, tuesdayDouble, { ...newDishes3x, stackable: true }] }),
      sale(basket, { occurredAt: TUESDAY_NOON }),
      member(),
      WARSAW,
    );
    expect(r.lines[1]).toMatchObject({ multiplier: 6, points: 72 });
    expect(r.points).toBe(108);
    // Attribution adds up: the winner's extra first, then the stackable's on top of it.
    expect(r.rules.find((e) => e.ruleId === "tuesday-2x")).toMatchObject({ points: 30, lines: [0, 1, 3] });
    expect(r.rules.find((e) => e.ruleId === "new-3x")).toMatchObject({ points: 48, lines: [1] });
  });

  it("a lone multiplier below 1 reduces (low-margin items earn half)", () => {
    const half = { id: "low-margin", type: "multiplier", factor: 0.5, products: { tags: ["low-margin"] } };
    const r = evaluateEarning(
      programme({ rules: [base, half] }),
      sale([line("WATER", 1000, { tags: ["low-margin"] })]),
      member(),
      WARSAW,
    );
    expect(r.points).toBe(5);
  });
});

describe("gold earns 2 per €1", () => {
  it("through the tier's earnMultiplier, competing as a non-stackable multiplier named tier:gold", () => {
    const goldTiers = {
      ...tiers,
      levels: tiers.levels.map((l) => (l.id === "gold" ? { ...l, benefits: { earnMultiplier: 2 } } : l)),
    };
    const p = programme({ rules: [base, tuesdayDouble], tiers: goldTiers });
    const gold = evaluateEarning(p, sale(burger), member({ tier: "gold" }), WARSAW);
    expect(gold.points).toBe(29);
    expect(gold.rules.at(-1)).toEqual({
      ruleId: "tier:gold",
      type: "tier_multiplier",
      points: 14.5,
      lines: [0],
      detail: "tier earn multiplier 2×",
    });
    expect(evaluateEarning(p, sale(burger), member({ tier: "silver" }), WARSAW).points).toBe(14);
    // On a Tuesday 2× tier and 2× weekday do not compound; the rule wins the tie in the explanation.
    const tuesday = evaluateEarning(p, sale(burger, { occurredAt: TUESDAY_NOON }), member({ tier: "gold" }), WARSAW);
    expect(tuesday.points).toBe(29);
    expect(tuesday.lines[0]!.rules).toEqual(["base", "tuesday-2x"]);
  });

  it("through a gold-only base rate of higher priority that stops the standard rate", () => {
    const p = programme({
      rules: [
        base,
        {
          id: "gold-rate",
          type: "base_rate",
          pointsPerUnit: 2,
          unitMinor: 100,
          tiers: ["gold"],
          priority: 10,
          stopProcessing: true,
        },
      ],
    });
    const gold = evaluateEarning(p, sale(burger), member({ tier: "gold" }), WARSAW);
    expect(gold.points).toBe(29);
    expect(gold.rules.map((e) => e.ruleId)).toEqual(["gold-rate"]);
    expect(gold.rules[0]!.detail).toBe("2 pt per 100 on 1450 paid; stops rules below priority 10");
    expect(evaluateEarning(p, sale(burger), member({ tier: "silver" }), WARSAW).points).toBe(14);
  });
});
