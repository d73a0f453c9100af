import { describe, expect, it } from "vitest";
import { conditionHolds, fieldAt } from "../src/index.ts";

const event = { total: 5_000, channel: "app", tags: ["vegan", "new"], properties: { formId: "dob", n: null } };

describe("event conditions", () => {
  it("reads dotted paths and own fields only", () => {
    expect(fieldAt(event, "properties.formId")).toBe("dob");
    expect(fieldAt(event, "tags.1")).toBe("new");
    expect(fieldAt(event, "properties.missing")).not.toBe(undefined);
    expect(fieldAt(event, "total.toFixed")).toBe(fieldAt(event, "nothing"));
    expect(fieldAt(event, "constructor")).toBe(fieldAt(event, "nothing"));
  });

  it("compares without coercion", () => {
    expect(conditionHolds({ field: "total", op: "eq", value: 5_000 }, event)).toBe(true);
    expect(conditionHolds({ field: "total", op: "eq", value: "5000" }, event)).toBe(false);
    expect(conditionHolds({ field: "channel", op: "gt", value: 1 }, event)).toBe(false);
    expect(conditionHolds({ field: "total", op: "lt", value: 5_001 }, event)).toBe(true);
    expect(conditionHolds({ field: "total", op: "lte", value: 5_000 }, event)).toBe(true);
    expect(conditionHolds({ field: "total", op: "gt", value: 5_000 }, event)).toBe(false);
  });

  it("a missing field passes only ne and exists: false", () => {
    const missing = "properties.nope";
    expect(conditionHolds({ field: missing, op: "ne", value: "x" }, event)).toBe(true);
    expect(conditionHolds({ field: missing, op: "exists", value: false }, event)).toBe(true);
    expect(conditionHolds({ field: missing, op: "exists", value: true }, event)).toBe(false);
    expect(conditionHolds({ field: missing, op: "in", value: ["x"] }, event)).toBe(false);
    expect(conditionHolds({ field: missing, op: "gte", value: 0 }, event)).toBe(false);
    // A null counts as not there.
    expect(conditionHolds({ field: "properties.n", op: "exists", value: false }, event)).toBe(true);
  });

  it("contains looks inside arrays only", () => {
    expect(conditionHolds({ field: "tags", op: "contains", value: "vegan" }, event)).toBe(true);
    expect(conditionHolds({ field: "tags", op: "contains", value: "meat" }, event)).toBe(false);
    expect(conditionHolds({ field: "channel", op: "contains", value: "a" }, event)).toBe(false);
  });
});
