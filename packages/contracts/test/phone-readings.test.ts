import { describe, expect, it } from "vitest";
import { E164Phone, readPhone } from "../src/index.ts";

describe("readPhone: one reading for the tills and the app", () => {
  it("reads a 0 kept after the country code as the tills have stored it, and the app refuses it", () => {
    // Poland has no trunk prefix, so libphonenumber keeps the 0: a length its numbers may have, in no range of them.
    // Tills stored such numbers so: read otherwise, their customers would get a second account at the next visit.
    expect(E164Phone.parse("+480600200402")).toBe("+480600200402");
    expect(readPhone("+48 0 600 200 402")).toEqual({ phone: "+480600200402", valid: false, country: "PL" });
    expect(E164Phone.parse(E164Phone.parse("+480600200402"))).toBe("+480600200402");
  });

  it("keeps a leading 0 that is part of a valid number, and a possible number no 0 made invalid", () => {
    expect(E164Phone.parse("+390612345678")).toBe("+390612345678");
    // Outside the plan as the metadata knows it: the till still accepts it (a range opened since), the app does not.
    expect(E164Phone.parse("+48100000000")).toBe("+48100000000");
    expect(readPhone("+48100000000")).toEqual({ phone: "+48100000000", valid: false, country: "PL" });
  });

  it("reads a number as people paste it: format marks, a tel: link, a bracketed country code, 00", () => {
    for (const typed of [
      "(+48) 600 200 405",
      "\u202A+48 600 200 405\u202C",
      "\u200E+48\u00A0600\u00A0200\u00A0405",
      "tel:+48600200405",
      "TEL: +48-600-200-405",
      "0048 600 200 405",
      "(0048) 600 200 405",
    ])
      expect(readPhone(typed), JSON.stringify(typed)).toEqual({ phone: "+48600200405", valid: true, country: "PL" });
    expect(readPhone("600 200 405", "PL")).toEqual({ phone: "+48600200405", valid: true, country: "PL" });
  });

  it("says why it cannot read one", () => {
    expect(readPhone("600 200 405")).toMatchObject({ problem: "no_country_code" });
    expect(readPhone("600 200 405", "XX")).toMatchObject({ problem: "unknown_country" });
    expect(readPhone("+999 123 456")).toMatchObject({ problem: "unknown_country_code" });
    expect(readPhone("+48 604 00")).toMatchObject({ problem: "too_short", country: "PL" });
    expect(readPhone("call me", "PL")).toMatchObject({ problem: "not_a_number" });
  });
});
