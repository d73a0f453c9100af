import { CouponCode } from "@regulars/contracts";
import { describe, expect, it } from "vitest";
import { codesHeldByLimit, codeToRemove, withTypedCode } from "../src/order/coupon-codes.ts";

describe("a coupon code typed at the kiosk", () => {
  it("is added upper-case and once, as the server compares codes", () => {
    expect(withTypedCode([], "  fries-7kq4a ")).toEqual(["FRIES-7KQ4A"]);
    expect(withTypedCode(["FRIES-7KQ4A"], "Fries-7kq4A")).toEqual(["FRIES-7KQ4A"]);
    expect(withTypedCode(["FRIES-7KQ4A"], "abc")).toEqual(["FRIES-7KQ4A", "ABC"]);
    expect(withTypedCode([], "X".repeat(64))).toEqual(["X".repeat(64)]);
  });

  it("is refused when the quote would refuse it: 3-64 ASCII letters, digits or '-', not starting with '-'", () => {
    for (const typed of ["", "  ", "AB", "X".repeat(65), "50%OFF", "-FRIES", "FRIES 7KQ4A", "ŻUREK-1", "FRIES_1"])
      expect(withTypedCode(["FRIES-7KQ4A"], typed), typed).toBe("malformed");
  });

  it("is judged as the API's CouponCode judges it (the kiosk keeps a copy of its pattern)", () => {
    const typed = ["ab", "abc", " abc ", "-abc", "a-b", "A1", "a".repeat(64), "a".repeat(65), "ok_1", "Ü-123", "9-9"];
    for (const t of typed) expect(withTypedCode([], t) !== "malformed", t).toBe(CouponCode.safeParse(t).success);
  });
});

describe("the code to take back after a quote failed", () => {
  const codes = ["FRIES-7KQ4A", "WELCOME-1", "LUNCH-22"];

  it("is the one the refusal names", () => {
    expect(codeToRemove(["couponCodes.1"], codes)).toBe("WELCOME-1");
    expect(codeToRemove(["points", "couponCodes.0.code"], codes)).toBe("FRIES-7KQ4A");
  });

  it("is the last typed when the refusal is of the list as a whole (one code too many)", () => {
    expect(codeToRemove(["couponCodes"], codes)).toBe("LUNCH-22");
  });

  it("is none when the failure names none of them: a server down or a proxy's page does not blame a coupon", () => {
    expect(codeToRemove([], codes)).toBeUndefined();
    expect(codeToRemove(["points"], codes)).toBeUndefined();
    expect(codeToRemove(["couponCodes.7"], codes)).toBeUndefined();
  });

  it("is none when no code was typed", () => {
    expect(codeToRemove(["couponCodes.0"], [])).toBeUndefined();
  });
});

describe("codes held by the unknown-code limit", () => {
  const codes = ["WRONG1", "WRONG2"];

  it("are all taken back when the quote was refused as rate_limited for its codes", () => {
    expect(codesHeldByLimit(429, ["couponCodes"], codes)).toBe(true);
  });

  it("are kept when the limit is of the kiosk as a whole, or the refusal is of one code, or none was typed", () => {
    expect(codesHeldByLimit(429, [], codes)).toBe(false);
    expect(codesHeldByLimit(400, ["couponCodes"], codes)).toBe(false);
    expect(codesHeldByLimit(undefined, ["couponCodes"], codes)).toBe(false);
    expect(codesHeldByLimit(429, ["couponCodes"], [])).toBe(false);
  });
});
