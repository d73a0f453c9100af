import { describe, expect, it } from "vitest";
import { formatMoney, fromMinor, toMinor } from "../src/format.ts";

describe("money typed as people read it, kept in the currency's minor units", () => {
  it("has no minor unit in yen: 100000 typed is 100000 stored, as the customer's page shows it", () => {
    expect(toMinor(100_000, "JPY")).toBe(100_000);
    expect(fromMinor(123_456, "JPY")).toBe(123_456);
    expect(formatMoney(toMinor(123_456, "JPY"), "JPY", "en-GB")).toBe("JP¥123,456");
  });

  it("counts cents and grosze in euro and złoty", () => {
    expect(toMinor(12.5, "EUR")).toBe(1250);
    expect(fromMinor(1250, "EUR")).toBe(12.5);
    expect(toMinor(0.29, "PLN")).toBe(29);
    expect(fromMinor(29, "PLN")).toBe(0.29);
  });

  it("counts thousandths in three-decimal currencies such as the Kuwaiti and Bahraini dinar", () => {
    expect(toMinor(1.5, "KWD")).toBe(1500);
    expect(fromMinor(1500, "KWD")).toBe(1.5);
    expect(toMinor(2.125, "BHD")).toBe(2125);
  });

  it("rounds what cannot be kept to the nearest minor unit, and round-trips what can", () => {
    expect(toMinor(0.1 + 0.2, "EUR")).toBe(30);
    expect(toMinor(99.6, "JPY")).toBe(100);
    for (const minor of [0, 1, 7, 1999, 123_456]) {
      for (const currency of ["JPY", "EUR", "KWD"]) expect(toMinor(fromMinor(minor, currency), currency)).toBe(minor);
    }
  });
});
