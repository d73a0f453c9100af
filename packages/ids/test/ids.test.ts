import { describe, expect, it } from "vitest";
import { newId, stableId, ulid } from "../src/index.ts";

describe("ids", () => {
  it("are prefixed by kind and 26 lower-case base32 characters", () => {
    expect(newId("customer")).toMatch(/^cus_[0-9a-hjkmnp-tv-z]{26}$/);
    expect(newId("transaction")).toMatch(/^txn_/);
  });

  it("sort by creation time, also within one millisecond, and never repeat", () => {
    const ids = Array.from({ length: 20_000 }, () => newId("movement"));
    expect([...ids].sort()).toEqual(ids);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it("encode the creation time in the first 10 characters", () => {
    const alphabet = "0123456789abcdefghjkmnpqrstvwxyz";
    const decode = (s: string) => [...s].reduce((acc, c) => acc * 32 + alphabet.indexOf(c), 0);
    const before = Date.now();
    const id = ulid();
    expect(decode(id.slice(0, 10))).toBeGreaterThanOrEqual(before);
    expect(decode(id.slice(0, 10))).toBeLessThanOrEqual(Date.now());
  });

  it("derive the same stable id from the same natural key, and different ids per tenant", () => {
    expect(stableId("transaction", "ten_a", "POS-1")).toBe(stableId("transaction", "ten_a", "POS-1"));
    expect(stableId("transaction", "ten_a", "POS-1")).not.toBe(stableId("transaction", "ten_b", "POS-1"));
    // The separator keeps ("ab","c") and ("a","bc") apart.
    expect(stableId("transaction", "ab", "c")).not.toBe(stableId("transaction", "a", "bc"));
    expect(stableId("transaction", "t", "x")).toMatch(/^txn_[a-z0-9]{26}$/);
  });
});
