import { EarningRule, ProgrammeConfig } from "@regulars/contracts";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { evaluateEarning, paidAmount } from "../src/index.ts";
import { customerArb, inputArb, programmeArb, ZONES } from "./arbitraries.ts";
import { base, line, member, noAlcohol, programme, sale, WARSAW } from "./fixtures.ts";

const earn = (p: ProgrammeConfig, lines: ReturnType<typeof line>[]) =>
  evaluateEarning(p, sale(lines), member(), WARSAW);

describe("minBasket: a rule applies only when what the customer paid for the basket reaches it", () => {
  it("on a base rate: 19.99 earns nothing, 20.00 earns 20, and the explanation says why it applied", () => {
    const p = programme({ rules: [{ ...base, minBasket: 2000 }] });
    expect(earn(p, [line("MENU", 1999)])).toMatchObject({ points: 0, rules: [] });
    const r = earn(p, [line("MENU", 1500), line("FRIES", 500)]);
    expect(r.points).toBe(20);
    expect(r.rules).toEqual([
      {
        ruleId: "base",
        type: "base_rate",
        points: 20,
        lines: [0, 1],
        detail: "1 pt per 100 on 2000 paid; basket total 2000 ≥ 2000",
      },
    ]);
  });

  it("counts what was paid after discounts, excluded lines included (they are paid for, they only do not earn)", () => {
    const p = programme({ rules: [{ ...base, minBasket: 2000 }, noAlcohol] });
    // 15.00 burger + 10.00 beer: the basket reaches 20.00, and only the burger earns.
    expect(earn(p, [line("BURGER", 1500), line("BEER", 1000, { category: "alcohol" })]).points).toBe(15);
    // 25.00 with 6.00 off is 19.00 paid: short of the minimum.
    expect(earn(p, [line("BURGER", 2500, { discount: 600 })]).points).toBe(0);
  });

  it("on a multiplier: double points on baskets from 30.00", () => {
    const p = programme({ rules: [base, { id: "big-2x", type: "multiplier", factor: 2, minBasket: 3000 }] });
    expect(earn(p, [line("MENU", 2999)]).points).toBe(29);
    const r = earn(p, [line("MENU", 3000)]);
    expect(r.points).toBe(60);
    expect(r.rules.find((e) => e.ruleId === "big-2x")?.detail).toBe("2×; basket total 3000 ≥ 3000");
  });

  it("differs from per_visit's minAmount, which counts only the eligible amount", () => {
    const visit = { id: "visit", type: "per_visit", points: 10 };
    const lines = [line("BURGER", 600), line("BEER", 600, { category: "alcohol" })];
    expect(earn(programme({ rules: [{ ...visit, minAmount: 1000 }, noAlcohol] }), lines).points).toBe(0);
    expect(earn(programme({ rules: [{ ...visit, minBasket: 1000 }, noAlcohol] }), lines).points).toBe(10);
    // Both set: both must hold.
    expect(earn(programme({ rules: [{ ...visit, minBasket: 1000, minAmount: 1000 }, noAlcohol] }), lines).points).toBe(
      0,
    );
  });

  it("a stopping rule below its minimum stops nothing", () => {
    const p = programme({
      rules: [
        { id: "big-basket", type: "per_visit", points: 50, minBasket: 5000, priority: 9, stopProcessing: true },
        base,
      ],
    });
    expect(earn(p, [line("MENU", 4000)]).rules.map((e) => e.ruleId)).toEqual(["base"]);
    expect(earn(p, [line("MENU", 5000)]).rules.map((e) => [e.ruleId, e.points])).toEqual([["big-basket", 50]]);
  });

  it("on an exclusion: the exclusion holds only in baskets that reach it", () => {
    const p = programme({
      rules: [base, { id: "no-sides-in-big", type: "exclusion", match: { categories: ["sides"] }, minBasket: 4000 }],
    });
    const fries = line("FRIES", 1000, { category: "sides" });
    expect(earn(p, [line("MENU", 2000), fries]).points).toBe(30);
    expect(earn(p, [line("MENU", 3000), fries]).points).toBe(30);
  });

  it("an action rule has no basket: the schema refuses a minBasket on it", () => {
    const action = { id: "feedback", type: "action", event: "feedback_submitted", points: 5 };
    expect(EarningRule.parse(action)).toMatchObject({ minBasket: 0 });
    const refused = EarningRule.safeParse({ ...action, minBasket: 100 });
    expect(refused.error?.issues.map((i) => [i.path.join("."), i.message])).toEqual([
      ["minBasket", "an action has no basket: leave minBasket out"],
    ]);
  });
});

describe("minBasket properties", () => {
  const zone = fc.constantFrom(...ZONES);

  it("a minimum the basket reaches changes no points and no line: only the explanation mentions it", () => {
    fc.assert(
      fc.property(
        programmeArb,
        inputArb,
        customerArb,
        zone,
        fc.double({ min: 0, max: 1, noNaN: true }),
        (p0, input, customer, tz, share) => {
          const total = input.lines.reduce((sum, l) => sum + paidAmount(l), 0);
          const none = ProgrammeConfig.parse({ ...p0, rules: p0.rules.map((r) => ({ ...r, minBasket: 0 })) });
          const reached = ProgrammeConfig.parse({
            ...p0,
            rules: p0.rules.map((r) => ({ ...r, minBasket: Math.floor(total * share) })),
          });
          const a = evaluateEarning(reached, input, customer, tz);
          const b = evaluateEarning(none, input, customer, tz);
          expect(a.points).toBe(b.points);
          expect(a.lines).toEqual(b.lines);
          expect(a.rules.map(({ detail: _, ...e }) => e)).toEqual(b.rules.map(({ detail: _, ...e }) => e));
        },
      ),
      { numRuns: 300 },
    );
  });
});
