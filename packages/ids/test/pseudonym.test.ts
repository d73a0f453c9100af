import { describe, expect, it } from "vitest";
import { isPseudonym, newId, newPseudonym } from "../src/index.ts";

describe("newPseudonym", () => {
  it("is anon_ and 32 lower-case hex characters (128 bits)", () => {
    expect(newPseudonym()).toMatch(/^anon_[0-9a-f]{32}$/);
  });

  it("is random: two calls differ, and a thousand never repeat", () => {
    expect(newPseudonym()).not.toBe(newPseudonym());
    expect(new Set(Array.from({ length: 1000 }, newPseudonym)).size).toBe(1000);
  });

  it("is told from a customer's own id", () => {
    expect(isPseudonym(newPseudonym())).toBe(true);
    expect(isPseudonym(newId("customer"))).toBe(false);
    expect(isPseudonym(null)).toBe(false);
  });
});
