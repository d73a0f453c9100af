import type { ProgrammeConfig } from "@regulars/contracts";
import { describe, expect, it } from "vitest";
import { evaluateEarning, forMemberships, segmentsFiltered } from "../src/index.ts";
import { base, line, member, programme, sale, WARSAW } from "./fixtures.ts";

const regulars = { id: "regulars", type: "per_visit", points: 100, segments: ["seg_regulars", "seg_vip"] };
const earn = (p: ProgrammeConfig) => evaluateEarning(p, sale([line("MEAL", 1000)]), member(), WARSAW).points;

describe("a segment filter", () => {
  const p = programme({ rules: [base, regulars] });

  it("pays a member of any of its segments, and nobody else", () => {
    expect(earn(forMemberships(p, new Set(["seg_vip"])))).toBe(110);
    expect(earn(forMemberships(p, new Set(["seg_other"])))).toBe(10);
    expect(earn(forMemberships(p, new Set()))).toBe(10);
  });

  it("never pays while memberships are not settled: a rule for some must not pay everyone", () => {
    expect(earn(p)).toBe(10);
  });

  it("leaves a programme without segment filters as it is, with nothing to load", () => {
    const plain = programme({ rules: [base] });
    expect(forMemberships(plain, new Set(["seg_vip"]))).toBe(plain);
    expect(segmentsFiltered(plain)).toEqual([]);
    expect(segmentsFiltered(p)).toEqual(["seg_regulars", "seg_vip"]);
  });
});
