import { describe, expect, it } from "vitest";
import { takeTags } from "../src/ui/form-values.ts";

describe("what typing into a tag box does to its tags", () => {
  it("keeps the name being typed in the box until a comma ends it", () => {
    expect(takeTags(["BURGER"], "FRI", false)).toEqual({ values: ["BURGER"], typing: "FRI" });
    expect(takeTags(["BURGER"], "FRIES,", false)).toEqual({ values: ["BURGER", "FRIES"], typing: "" });
  });

  it("turns a pasted comma-separated list into tags, the part after the last comma still being typed", () => {
    expect(takeTags([], " COLA-M, FRIES-L ,, SUNDAE", false)).toEqual({
      values: ["COLA-M", "FRIES-L"],
      typing: "SUNDAE",
    });
  });

  it("takes the whole box on Enter or leaving it, without blanks or names already there", () => {
    expect(takeTags(["COLA-M"], "COLA-M, SUNDAE ", true)).toEqual({ values: ["COLA-M", "SUNDAE"], typing: "" });
    expect(takeTags(["COLA-M"], "   ", true)).toEqual({ values: ["COLA-M"], typing: "" });
  });
});
