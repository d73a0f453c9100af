import { describe, expect, it } from "vitest";
import { maxPeriods, periodStarts, rangeProblem } from "../src/index.ts";

// The dashboard's x axis: calendar periods of the range, named by their first day, gaps included.

describe("periodStarts", () => {
  it("lists every day of the range, both ends included, across a month and a leap day", () => {
    expect(periodStarts("2024-02-27", "2024-03-02", "day")).toEqual([
      "2024-02-27",
      "2024-02-28",
      "2024-02-29",
      "2024-03-01",
      "2024-03-02",
    ]);
    expect(periodStarts("2024-05-01", "2024-05-01", "day")).toEqual(["2024-05-01"]);
  });

  it("starts weeks on Monday, the first one on or before `from`", () => {
    // 1 May 2024 was a Wednesday; 2 June a Sunday.
    expect(periodStarts("2024-05-01", "2024-06-02", "week")).toEqual([
      "2024-04-29",
      "2024-05-06",
      "2024-05-13",
      "2024-05-20",
      "2024-05-27",
    ]);
    expect(periodStarts("2024-05-06", "2024-05-06", "week")).toEqual(["2024-05-06"]);
    // Across a year end: the ISO week of 30 Dec 2024 holds 1 Jan 2025.
    expect(periodStarts("2024-12-30", "2025-01-06", "week")).toEqual(["2024-12-30", "2025-01-06"]);
  });

  it("names months by their first day, across a year end", () => {
    expect(periodStarts("2024-11-15", "2025-02-01", "month")).toEqual([
      "2024-11-01",
      "2024-12-01",
      "2025-01-01",
      "2025-02-01",
    ]);
  });
});

describe("rangeProblem", () => {
  it("accepts a sane range and says what is wrong with any other", () => {
    expect(rangeProblem({ from: "2024-05-01", to: "2024-05-31", granularity: "day" })).toBeNull();
    expect(rangeProblem({ from: "2024-05-31", to: "2024-05-01" })).toEqual({
      field: "to",
      message: "must not be before from",
    });
    const day = "must be a calendar day YYYY-MM-DD between 1970 and 2100";
    expect(rangeProblem({ from: "2024-02-30", to: "2024-03-01" })).toEqual({ field: "from", message: day });
    expect(rangeProblem({ from: "2024-05-01", to: "31.05.2024" })).toEqual({ field: "to", message: day });
    expect(rangeProblem({ from: "1969-12-31", to: "2024-05-01" })).toEqual({ field: "from", message: day });
  });

  it("bounds the periods of a series, not the range of a total", () => {
    const twoYears = { from: "2023-01-01", to: "2024-12-31" };
    expect(rangeProblem({ ...twoYears, granularity: "day" })).toEqual({
      field: "granularity",
      message: `the range has more than ${maxPeriods} days; choose a coarser granularity`,
    });
    expect(rangeProblem({ ...twoYears, granularity: "week" })).toBeNull();
    expect(rangeProblem({ from: "1970-01-01", to: "2100-12-31" })).toBeNull();
    expect(() => periodStarts("2023-01-01", "2024-12-31", "day")).toThrow(/choose a coarser granularity/);
  });
});
