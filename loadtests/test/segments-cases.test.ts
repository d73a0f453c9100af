import { SegmentDefinition } from "@regulars/contracts";
import { describe, expect, it } from "vitest";
import { benchSegments } from "../src/segments-cases.ts";

describe("bench:segments cases", () => {
  it("are valid segment definitions, and some are materialised", () => {
    for (const c of benchSegments) expect(SegmentDefinition.safeParse(c.definition).success, c.name).toBe(true);
    expect(benchSegments.filter((c) => c.materialise).length).toBeGreaterThan(1);
  });
});
