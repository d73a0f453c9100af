import fc from "fast-check";
import metadata from "libphonenumber-js/max/metadata";
import examples from "libphonenumber-js/mobile/examples";
import { describe, expect, it } from "vitest";
import { phoneSpellings, preferredPhoneSpelling, readPhoneSpellings } from "../src/phone.ts";

// `phoneSpellings` answers most numbers from their digits and remembers the rest: its answers must be the ones
// parsing gives (`readPhoneSpellings`), for valid numbers, their 0-spellings, and whatever else is stored.

const callingCodes = Object.keys(metadata.country_calling_codes);
/** Each calling code's countries, as plain strings (the examples are keyed by them). */
const countriesOf: [string, string[]][] = Object.entries(metadata.country_calling_codes);
const zeros = fc.constantFrom("", "0", "00");
const digits = (min: number, max: number) =>
  fc.array(fc.integer({ min: 0, max: 9 }), { minLength: min, maxLength: max }).map((d) => d.join(""));

/** `+`, a known code, maybe a 0 or two, any digits. */
const anyNumber = fc.tuple(fc.constantFrom(...callingCodes), zeros, digits(1, 14)).map((p) => `+${p.join("")}`);

/** A country's example mobile with its last digits changed (mostly still valid), maybe with a 0 after its code. */
const nearValid = fc
  .tuple(fc.constantFrom(...Object.entries(examples)), zeros, digits(0, 4))
  .map(([[country, national], zero, tail]) => {
    const code = countriesOf.find(([, cs]) => cs.includes(country))?.[0] ?? "";
    return `+${code}${zero}${national.slice(0, national.length - tail.length)}${tail}`;
  });

const stored = fc.oneof(
  anyNumber,
  nearValid,
  nearValid,
  fc.string({ maxLength: 16 }),
  digits(1, 16).map((d) => `+${d}`),
);

describe("phoneSpellings: the digits' fast answer and the remembered ones", () => {
  it("agree with parsing, first time and remembered", () => {
    fc.assert(
      fc.property(stored, (phone) => {
        const parsed = readPhoneSpellings(phone);
        expect(phoneSpellings(phone)).toEqual(parsed);
        expect(phoneSpellings(phone)).toEqual(parsed);
        expect(preferredPhoneSpelling(phone)).toBe(parsed.preferred);
      }),
      { numRuns: 5_000 },
    );
  });

  it("agree on every country's example mobile, with and without a 0 after its code", () => {
    for (const [country, national] of Object.entries(examples)) {
      for (const [code, countries] of countriesOf) {
        if (!countries.includes(country)) continue;
        for (const phone of [`+${code}${national}`, `+${code}0${national}`]) {
          expect(phoneSpellings(phone), phone).toEqual(readPhoneSpellings(phone));
          expect(preferredPhoneSpelling(phone), phone).toBe(readPhoneSpellings(phone).preferred);
        }
      }
    }
  });

  it("hands each caller its own list", () => {
    phoneSpellings("+48604100077").all.push("+1");
    expect(phoneSpellings("+48604100077").all).toEqual(["+48604100077", "+480604100077"]);
  });
});
