import { describe, expect, it } from "vitest";
import { smsLength } from "../src/index.ts";

describe("SMS length", () => {
  it("fits 160 GSM-7 characters in one SMS and splits into 153-character parts beyond", () => {
    expect(smsLength("a".repeat(160))).toMatchObject({ encoding: "GSM-7", units: 160, segments: 1, perSegment: 160 });
    expect(smsLength("a".repeat(161))).toMatchObject({ encoding: "GSM-7", units: 161, segments: 2, perSegment: 153 });
    expect(smsLength("a".repeat(306))).toMatchObject({ segments: 2 });
    expect(smsLength("a".repeat(307))).toMatchObject({ segments: 3 });
    expect(smsLength("")).toMatchObject({ units: 0, segments: 0 });
  });

  it("counts GSM extension characters twice and never splits one across parts", () => {
    expect(smsLength("€".repeat(80))).toMatchObject({ encoding: "GSM-7", units: 160, segments: 1 });
    expect(smsLength("{}[]~|^\\€")).toMatchObject({ units: 18 });
    // 152 plain characters, then an escape pair that would straddle the 153 boundary: it moves to part 2, so
    // 306 septets need three parts where 306 / 153 would say two.
    expect(smsLength(`${"a".repeat(152)}€${"a".repeat(151)}`)).toMatchObject({ units: 305, segments: 2 });
    expect(smsLength(`${"a".repeat(152)}€${"a".repeat(152)}`)).toMatchObject({ units: 306, segments: 3 });
  });

  it("switches the whole message to UCS-2 for one character outside GSM-7, and says which", () => {
    expect(smsLength(`Cześć ${"a".repeat(64)}`)).toMatchObject({
      encoding: "UCS-2",
      units: 70,
      segments: 1,
      nonGsmCharacters: ["ś", "ć"],
    });
    expect(smsLength(`ś${"a".repeat(70)}`)).toMatchObject({
      encoding: "UCS-2",
      units: 71,
      segments: 2,
      perSegment: 67,
    });
    expect(smsLength("Ä Ö Ñ Ü ä ö ñ ü à é è ù")).toMatchObject({ encoding: "GSM-7" });
  });

  it("counts an emoji as two UTF-16 units and never splits its pair", () => {
    expect(smsLength("🍔")).toMatchObject({ encoding: "UCS-2", units: 2, segments: 1, nonGsmCharacters: ["🍔"] });
    expect(smsLength(`${"a".repeat(68)}🍔`)).toMatchObject({ units: 70, segments: 1 });
    expect(smsLength(`${"a".repeat(69)}🍔`)).toMatchObject({ units: 71, segments: 2 });
    expect(smsLength(`${"a".repeat(66)}🍔${"a".repeat(66)}`)).toMatchObject({ units: 134, segments: 3 });
    expect(smsLength("🍔".repeat(35))).toMatchObject({ units: 70, segments: 1 });
  });
});
