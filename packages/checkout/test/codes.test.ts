import { CODE_ALPHABET, CodePattern, CouponCode, RedeemableCodePattern } from "@regulars/contracts";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  CODE_SPACE_FACTOR,
  generateCodes,
  normalizeCode,
  patternCapacity,
  patternRoom,
  patternRoomMessage,
  patternShape,
  patternSpace,
  patternTooShortMessage,
  randomLengthFor,
} from "../src/codes.ts";

const bodyOf = (code: string, prefix: string, suffix = "") => code.slice(prefix.length, code.length - suffix.length);

describe("generateCodes", () => {
  it("keeps the pattern around the random run and draws only from the alphabet", () => {
    const codes = generateCodes("WELCOME-XXXXXXX-24", 1_000);
    expect(codes).toHaveLength(1_000);
    for (const code of codes) {
      expect(code).toMatch(/^WELCOME-[A-Z0-9]{7}-24$/);
      for (const letter of bodyOf(code, "WELCOME-", "-24")) expect(CODE_ALPHABET).toContain(letter);
      expect(CouponCode.parse(code)).toBe(code);
    }
  });

  it("never uses look-alike characters", () => {
    const letters = new Set(generateCodes("XXXXXXXX", 5_000).flatMap((c) => [...c]));
    for (const ambiguous of "0O1IL2Z5S8B") expect(letters.has(ambiguous)).toBe(false);
    // every letter of the alphabet does turn up: the draw covers the whole alphabet
    expect([...letters].sort().join("")).toBe([...CODE_ALPHABET].sort().join(""));
  });

  it("makes 100,000 codes without a duplicate", () => {
    const codes = generateCodes("SUMMER-XXXXXXXX", 100_000);
    expect(codes).toHaveLength(100_000);
    expect(new Set(codes).size).toBe(100_000);
  });

  it("randomises only the longest run of X's; other X's are letters of the prefix", () => {
    expect(patternShape("XMAS-XXXXXXX")).toEqual({ prefix: "XMAS-", suffix: "", randomLength: 7 });
    for (const code of generateCodes("XMAS-XXXXXXX", 50)) expect(code.startsWith("XMAS-")).toBe(true);
  });

  it("spreads the letters evenly (no modulo bias)", () => {
    const counts = new Map<string, number>();
    for (const code of generateCodes("XXXXXXXXXX", 24_000))
      for (const c of code) counts.set(c, (counts.get(c) ?? 0) + 1);
    // 240,000 letters: 10,000 expected per letter; a biased draw (byte % 24) gives the first 16 ≈ 10,300
    // and the last 8 ≈ 9,400. The band is > 5 standard deviations wide for a fair draw.
    for (const [letter, n] of counts) expect(n, letter).toBeGreaterThan(9_500);
    for (const [letter, n] of counts) expect(n, letter).toBeLessThan(10_500);
  });

  it("leaves out codes already taken", () => {
    const taken = new Set(generateCodes("T-XXXXXXXX", 20_000));
    const fresh = generateCodes("T-XXXXXXXX", 10_000, { taken });
    expect(fresh.filter((c) => taken.has(c))).toEqual([]);
    expect(new Set(fresh).size).toBe(10_000);
  });

  it("keeps a full pattern unguessable: at most one code per million combinations of the alphabet", () => {
    expect(CODE_SPACE_FACTOR).toBeGreaterThanOrEqual(1_000_000);
    expect(patternSpace("AB-XXXX")).toBe(24 ** 4);
    // 331,776 combinations: not one code; filled to capacity before, one random guess in ten was real.
    expect(patternCapacity("AB-XXXX")).toBe(0);
    expect(patternCapacity("AB-XXXXXXX")).toBe(4_586);
    expect(patternCapacity("AB-XXXXXXXX")).toBe(110_075);
    for (const pattern of ["AB-XXXX", "AB-XXXXXX", "AB-XXXXXXXX", "AB-XXXXXXXXXX"])
      expect(patternCapacity(pattern) * 1_000_000, pattern).toBeLessThanOrEqual(patternSpace(pattern));
  });

  it("refuses a pattern whose space is too small for the count, naming the pattern that would do", () => {
    const tooShort =
      "pattern AB-XXXXXXX holds at most 4,586 codes, too few for 4,587: use 8 X's, as in AB-XXXXXXXX " +
      "(one code per 1,000,000 combinations keeps codes unguessable)";
    expect(() => generateCodes("AB-XXXXXXX", 4_587)).toThrow(tooShort);
    expect(generateCodes("AB-XXXXXXX", 4_586)).toHaveLength(4_586);
    // codes already taken use up the space too
    expect(() => generateCodes("AB-XXXXXXX", 10, { taken: { has: () => false, size: 4_580 } })).toThrow(
      /holds at most 4,586 codes, too few for 4,590/,
    );
    expect(() => generateCodes("WELCOME-XXXX", 1)).toThrow(
      /WELCOME-XXXX holds at most 0 codes, too few for 1: use 5 X's/,
    );
  });

  it("knows how many X's a count needs, keeping what stands around the run", () => {
    expect([1, 7, 8, 4_586, 4_587, 100_000, 1_000_000].map(randomLengthFor)).toEqual([5, 5, 6, 7, 8, 8, 9]);
    expect(patternTooShortMessage("XMAS-XXXX-24", 50_000)).toMatch(/use 8 X's, as in XMAS-XXXXXXXX-24 /);
  });

  it("says the room a pattern has left beside the codes made before, and a longer pattern for the request", () => {
    expect([0, 4_000, 4_586, 5_000].map((existing) => patternRoom("AB-XXXXXXX", existing))).toEqual([4_586, 586, 0, 0]);
    expect(patternRoomMessage("AB-XXXXXXX", 4_000, 2_000)).toBe(
      "pattern AB-XXXXXXX holds at most 4,586 codes and the tenant has 4,000 of them already, any campaign's or " +
        "import's: 586 more fit, not 2,000; for more, use 8 X's, as in AB-XXXXXXXX " +
        "(one code per 1,000,000 combinations keeps codes unguessable)",
    );
    // The request alone would fit 7 X's, but that shape is the full one: one more X at least.
    expect(patternRoomMessage("XMAS-XXXXXXX-24", 4_586, 1)).toMatch(/: 0 more fit, not 1; .* as in XMAS-XXXXXXXX-24 /);
    expect(patternRoomMessage("AB-XXXX", 0, 1)).toBe(patternTooShortMessage("AB-XXXX", 1));
  });

  it("refuses a pattern that is not a pattern", () => {
    expect(() => generateCodes("welcome-xxxx", 1)).toThrow();
    expect(() => generateCodes("WELCOME-XXX", 1)).toThrow();
    expect(() => generateCodes("WELCOME-XXXX", -1)).toThrow(RangeError);
    expect(generateCodes("WELCOME-XXXX", 0)).toEqual([]);
  });

  it("makes only codes a customer can redeem: any pattern CodePattern takes gives codes CouponCode takes", () => {
    // '-' often, and first, so a pattern that would make unredeemable codes turns up in every run.
    const part = fc.array(fc.constantFrom("-", "A", "9", "X"), { maxLength: 12 }).map((cs) => cs.join(""));
    const pattern = fc
      .tuple(part, fc.integer({ min: 5, max: 9 }), part)
      .map(([prefix, run, suffix]) => `${prefix}${"X".repeat(run)}${suffix}`);
    fc.assert(
      fc.property(pattern, (p) => {
        if (!RedeemableCodePattern.safeParse(p).success) return;
        for (const code of generateCodes(p, 1)) expect(CouponCode.safeParse(code).success).toBe(true);
      }),
    );
    expect(RedeemableCodePattern.safeParse("-XXXXXXXX").error?.issues[0]?.message).toMatch(
      /starting with a letter or digit/,
    );
    expect(RedeemableCodePattern.safeParse("A--XXXXXXXX-").success).toBe(true);
    // Campaigns stored before the check still read.
    expect(CodePattern.safeParse("-XXXXXXXX").success).toBe(true);
  });
});

describe("normalizeCode", () => {
  it("trims, upper-cases and turns typographic dashes into '-'", () => {
    expect(normalizeCode("  welcome-7kq4 ")).toBe("WELCOME-7KQ4");
    expect(normalizeCode("WELCOME\u20137KQ4")).toBe("WELCOME-7KQ4");
    expect(normalizeCode("WELCOME\u22127KQ4")).toBe("WELCOME-7KQ4");
  });
});
