import { defaultProgramme, type ProgrammeConfig, type TransactionLine } from "@regulars/contracts";
import { describe, expect, it } from "vitest";
import { evaluateEarning } from "../src/index.ts";

const line = (unitPrice: number, quantity = 1, discount = 0, sku = "SKU"): TransactionLine => ({
  sku,
  name: sku,
  tags: [],
  quantity,
  unitPrice,
  discount,
});
const basket = (...lines: TransactionLine[]) => ({ lines });

describe("evaluateEarning with the default programme (1 point per 100 cents)", () => {
  it.each([
    [1450, 14],
    [99, 0],
    [100, 1],
    [199, 1],
    [200, 2],
    [0, 0],
  ])("%i cents earn %i points (floor of amount / 100)", (cents, points) => {
    expect(evaluateEarning(defaultProgramme, basket(line(cents))).points).toBe(points);
  });

  it("floors the basket total, not each line", () => {
    // 3 × 60 = 180 cents: per-line flooring would give 0, the spec floors the eligible amount.
    expect(evaluateEarning(defaultProgramme, basket(line(60), line(60), line(60))).points).toBe(1);
    expect(evaluateEarning(defaultProgramme, basket(line(350, 2), line(750))).points).toBe(14);
  });

  it("earns on the amount actually paid, after line discounts", () => {
    // 2 × 350 + 790 = 1490 before discounts; 1490 - 40 - 100 = 1350 paid.
    const result = evaluateEarning(defaultProgramme, basket(line(350, 2, 100, "FRIES-L"), line(790, 1, 40, "BURGER")));
    expect(result.points).toBe(13);
    expect(evaluateEarning(defaultProgramme, basket(line(350, 2, 0), line(790, 1, 0))).points).toBe(14);
  });

  it("a line fully paid by a discount earns nothing and is not counted", () => {
    const result = evaluateEarning(defaultProgramme, basket(line(290, 1, 290, "FRIES-M"), line(790, 1, 0, "BURGER")));
    expect(result.points).toBe(7);
    expect(result.explanation).toHaveLength(1);
    expect(result.explanation[0]!.lines).toEqual([1]);
  });

  it("explains which rule gave the points and which lines it counted", () => {
    const result = evaluateEarning(defaultProgramme, basket(line(700, 2), line(0), line(750)));
    expect(result).toEqual({
      points: 21,
      explanation: [
        {
          ruleId: "base",
          type: "base_rate",
          points: 21,
          lines: [0, 2],
          detail: expect.stringContaining("2150"),
        },
      ],
    });
    // The explanation adds up to the total.
    expect(result.explanation.reduce((acc, e) => acc + e.points, 0)).toBe(result.points);
  });

  it("is pure: the same basket always gives the same result", () => {
    const tx = basket(line(1234, 3, 17), line(99));
    expect(evaluateEarning(defaultProgramme, tx)).toEqual(evaluateEarning(defaultProgramme, tx));
  });
});

describe("evaluateEarning with other base rates", () => {
  it("pointsPerUnit 2 doubles the points", () => {
    const double: ProgrammeConfig = { rules: [{ id: "double", type: "base_rate", pointsPerUnit: 2, unitMinor: 100 }], pendingDays: 0 };
    for (const cents of [99, 100, 1450, 100_000, 12_345]) {
      const single = evaluateEarning(defaultProgramme, basket(line(cents))).points;
      expect(evaluateEarning(double, basket(line(cents))).points).toBe(2 * single);
    }
    const result = evaluateEarning(double, basket(line(1450)));
    expect(result.points).toBe(28);
    expect(result.explanation).toEqual([expect.objectContaining({ ruleId: "double", points: 28, lines: [0] })]);
  });

  it("respects unitMinor (1 point per 500 cents)", () => {
    const coarse: ProgrammeConfig = { rules: [{ id: "coarse", type: "base_rate", pointsPerUnit: 1, unitMinor: 500 }], pendingDays: 0 };
    expect(evaluateEarning(coarse, basket(line(499))).points).toBe(0);
    expect(evaluateEarning(coarse, basket(line(1450))).points).toBe(2);
  });

  it("a programme without rules earns nothing", () => {
    expect(evaluateEarning({ rules: [], pendingDays: 0 }, basket(line(10_000)))).toEqual({ points: 0, explanation: [] });
  });
});
