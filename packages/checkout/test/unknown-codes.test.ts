import { describe, expect, it } from "vitest";
import { secondsUntilCodesAllowed, unknownCodesIn } from "../src/index.ts";

const started = new Date("2025-03-05T12:00:00Z");
const at = (seconds: number) => new Date(started.getTime() + seconds * 1000);
const count = (misses: number) => ({ windowStartedAt: started, misses });
const limit = { limit: 20, windowSeconds: 600 };

describe("secondsUntilCodesAllowed", () => {
  it("allows codes until the count reaches the limit, then waits for the end of the window that began with the first", () => {
    expect(secondsUntilCodesAllowed(null, 1, limit, at(0))).toBeNull();
    expect(secondsUntilCodesAllowed(count(19), 1, limit, at(30))).toBeNull();
    expect(secondsUntilCodesAllowed(count(20), 1, limit, at(30))).toBe(570);
    expect(secondsUntilCodesAllowed(count(20), 1, limit, at(599.2))).toBe(1);
    expect(secondsUntilCodesAllowed(count(20), 1, limit, at(600))).toBeNull();
  });

  it("refuses a batch that could take the count past the limit, and never a checkout without codes", () => {
    expect(secondsUntilCodesAllowed(count(15), 5, limit, at(10))).toBeNull();
    expect(secondsUntilCodesAllowed(count(15), 6, limit, at(10))).toBe(590);
    expect(secondsUntilCodesAllowed(count(500), 0, limit, at(10))).toBeNull();
  });
});

describe("unknownCodesIn", () => {
  it("counts the typed codes answered unknown_code, not other refusals nor wallet coupons", () => {
    const coupon = (selected: boolean, code: string | null) => ({
      selected,
      refusal: code ? { code: code as "unknown_code", message: "" } : null,
    });
    const quote = {
      coupons: [
        coupon(true, "unknown_code"),
        coupon(true, null),
        coupon(true, "expired"),
        coupon(true, "unknown_code"),
        coupon(false, "paused"),
      ],
    };
    expect(unknownCodesIn(quote as never)).toBe(2);
  });
});
