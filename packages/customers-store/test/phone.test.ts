import { describe, expect, it } from "vitest";
import { normalisePhone } from "../src/index.ts";

const refusal = (raw: string, country?: string) => {
  try {
    return normalisePhone(raw, country);
  } catch (e) {
    return (e as { issues: { path: string; message: string }[] }).issues[0];
  }
};

describe("normalisePhone", () => {
  it("writes every way of typing one number as the same E.164 number", () => {
    for (const [raw, country] of [
      ["+48 600 100 200", undefined],
      ["+48600100200", undefined],
      ["0048 600-100-200", undefined],
      ["600 100 200", "PL"],
      ["(+48) 600 100 200", "DE"],
    ] as const)
      expect(normalisePhone(raw, country), raw).toBe("+48600100200");
    expect(normalisePhone("(201) 555-0123", "US")).toBe("+12015550123");
  });

  it("reads a number as it is pasted or typed without a country to read it in", () => {
    for (const raw of [
      "(+48) 600 200 405",
      // As iOS copies a number from Contacts: wrapped in invisible direction marks.
      "\u202A+48 600 200 405\u202C",
      "\u200E+48 600 200 405",
      "tel:+48600200405",
      "(0048) 600 200 405",
    ])
      expect(normalisePhone(raw), JSON.stringify(raw)).toBe("+48600200405");
  });

  it("refuses a number typed with a 0 after the country code, which is no valid number of its country", () => {
    expect(refusal("+48 0 600 200 405")).toMatchObject({ path: "phone" });
  });

  it("refuses what is not a valid number of its country, naming the field", () => {
    expect(refusal("600 100 200")).toEqual({
      path: "phone",
      message: "give it with its country code (+48...) or send `country`",
    });
    expect(refusal("+48 600 100 20")).toEqual({ path: "phone", message: "is not a valid number in PL" });
    expect(refusal("+999 123 456")).toEqual({ path: "phone", message: "has an unknown country code" });
    expect(refusal("600100200", "XX")).toEqual({ path: "phone", message: "`country` is not a known country" });
    expect(refusal("call me", "PL")).toMatchObject({ path: "phone" });
    expect(refusal("+48 100 000 000")).toMatchObject({ message: "is not a valid number in PL" });
    expect(refusal("+1 555 000 0000")).toMatchObject({ message: expect.stringMatching(/not a valid number/) });
  });
});
