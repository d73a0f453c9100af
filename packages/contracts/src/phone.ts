import {
  type CountryCode,
  isSupportedCountry,
  Metadata,
  parsePhoneNumberFromString,
  validatePhoneNumberLength,
} from "libphonenumber-js/max";
import metadataJson from "libphonenumber-js/max/metadata";

/**
 * Reading a phone number: the one reading every edge shares, so one person's number is one identity whichever way in
 * it came. A till posts E.164 (`E164Phone`); the brand's app sends what the customer typed (`normalisePhone` of
 * @regulars/customers-store). Each edge decides what it accepts (`valid`) and words a refusal in its own voice
 * (`problem`); the number they keep is the same.
 */
export type PhoneReading =
  | {
      /** E.164, canonical: reading it again gives it back. */
      phone: string;
      /** In its country's numbering plan as this library's metadata knows it, not only of a possible length. */
      valid: boolean;
      country: string | undefined;
    }
  | { problem: PhoneProblem; why: string; country: string | undefined };

export type PhoneProblem =
  /** Typed without a country code, and no country to read it in. */
  | "no_country_code"
  | "unknown_country_code"
  /** The country given to read a national number in is not one. */
  | "unknown_country"
  | "too_short"
  | "too_long"
  | "invalid_length"
  | "not_a_number"
  /** Its form never settles, or is no E.164 number once settled. */
  | "unsettled";

const lengthProblems: Record<string, { problem: PhoneProblem; why: string }> = {
  INVALID_COUNTRY: { problem: "unknown_country_code", why: "unknown country code" },
  TOO_SHORT: { problem: "too_short", why: "too short for its country" },
  TOO_LONG: { problem: "too_long", why: "too long for its country" },
  INVALID_LENGTH: { problem: "invalid_length", why: "a length no number of its country has" },
};

/** E.164: '+', a country code, at most 15 digits in all. What is stored must match it, as it is parsed again. */
export const e164Pattern = /^\+[1-9]\d{6,14}$/;

/**
 * libphonenumber drops one national prefix per reading, so its form of a number can change when read again:
 * `+97100501234567` reads as `+9710501234567`, which reads as `+971501234567`. What the gateway stores is read again by
 * every worker, and the partition and the retry's fingerprint are taken over the gateway's reading: a number is
 * therefore read until its form no longer changes. A reading that changes it drops a prefix digit: a form still
 * changing after more readings than E.164 has digits never settles.
 */
const maxReadings = 15;

/**
 * What a number copied from elsewhere carries around it: invisible format marks (iOS wraps a number copied from
 * Contacts in direction marks U+202A…U+202C), a `tel:` link's scheme, and `00`, the international prefix of most
 * countries, when no country says otherwise.
 */
function typedText(raw: string, country: string | null | undefined): string {
  const text = raw
    .replace(/\p{Cf}/gu, "")
    .trim()
    .replace(/^tel:/i, "")
    .trim();
  return country ? text : text.replace(/^(\(?\s*)00/, "$1+");
}

/**
 * Reads a number as typed, in E.164 form; `country` (ISO 3166-1 alpha-2) reads one typed without its country code.
 * A 0 kept after the country code (`+48 0 600…`: Poland has no trunk prefix, so the library keeps it) stays: tills
 * have stored such numbers as read, and reading them otherwise now would give their customers a second account.
 * The app refuses them (not `valid`); the look-ups fold them instead: `phoneSpellings` names the number without the 0
 * as the same person's.
 */
export function readPhone(raw: string, country?: string | null): PhoneReading {
  const text = typedText(raw, country);
  const international = /^\(?\s*\+/.test(text);
  if (!international && !country) return { problem: "no_country_code", why: "no country code", country: undefined };
  if (!international && !isSupportedCountry(country!))
    return { problem: "unknown_country", why: `unknown country ${country}`, country: undefined };
  return settle(text, international ? undefined : (country as CountryCode));
}

function settle(text: string, country: CountryCode | undefined): PhoneReading {
  let current = text;
  let defaultCountry = country;
  for (let readings = 0; readings <= maxReadings; readings++) {
    const parsed = parsePhoneNumberFromString(current, defaultCountry ? { defaultCountry } : undefined);
    if (!parsed?.isPossible()) {
      const length = lengthProblems[validatePhoneNumberLength(current, defaultCountry) ?? ""];
      const { problem, why } = length ?? { problem: "not_a_number" as const, why: "not a phone number" };
      return { problem, why: current === text ? why : `${why} once read as ${current}`, country: parsed?.country };
    }
    if (parsed.number === current) {
      if (!e164Pattern.test(current)) {
        const why =
          current.length - 1 < 7
            ? `too short without its national prefix: ${current}`
            : `${current} is not an E.164 number`;
        return { problem: "unsettled", why, country: parsed.country };
      }
      return { phone: current, valid: parsed.isValid(), country: parsed.country };
    }
    current = parsed.number;
    defaultCountry = undefined;
  }
  return { problem: "unsettled", why: `its form changes each time it is read: ${text}, then ${current}`, country };
}

/**
 * `readPhone` of a number without a country, remembered: every transaction naming a customer by phone is parsed at the
 * gateway and again by each worker reading it (a few µs each), mostly for the same members.
 */
const canonicalPhones = new Map<string, PhoneReading>();
export function canonicalPhone(raw: string): PhoneReading {
  let reading = canonicalPhones.get(raw);
  if (reading === undefined) {
    reading = readPhone(raw);
    if (canonicalPhones.size >= 50_000) canonicalPhones.clear();
    canonicalPhones.set(raw, reading);
  }
  return reading;
}

/** How one person's number may be stored as an identity: `preferred` first, then the other spelling if any. */
export interface PhoneSpellings {
  /**
   * The valid spelling: new identities are stored under it, the ledger partition is taken over it, and when two
   * customers hold different spellings of the number, its customer is the one it names.
   */
  preferred: string;
  /** Every spelling, `preferred` first: one or two. */
  all: string[];
}

/**
 * The spellings of a stored number (`readPhone`'s form) that name one person: itself, and the one with or without a
 * 0 right after the country code, when exactly one of the two is valid and a till could have stored the other as it
 * read it. For `+480604100077` (a 0 kept, not valid) that is `+48604100077`; for `+48604100077`, `+480604100077`. A
 * country with a trunk prefix has no 0-spelling (`readPhone` drops its 0: `+4407911…` is `+447911…`), and a 0 that
 * belongs to a valid number (Italy's `+390612345678`) is not folded, as the number without it is no valid one. Only
 * one 0: `+4800604100077` is no possible Polish number, so no till stored it.
 *
 * Every phone-keyed transaction asks it, at the gateway and in the ledger, and parsing costs µs: a number that cannot
 * have another spelling is answered from its digits (`withoutOtherSpelling`), the others' answers are remembered.
 */
export function phoneSpellings(stored: string): PhoneSpellings {
  if (withoutOtherSpelling(stored)) return { preferred: stored, all: [stored] };
  let spellings = rememberedSpellings.get(stored);
  if (spellings) {
    // Most recently used last: the oldest is the first the bound evicts.
    rememberedSpellings.delete(stored);
  } else {
    spellings = readPhoneSpellings(stored);
    if (rememberedSpellings.size >= MAX_REMEMBERED_SPELLINGS)
      rememberedSpellings.delete(rememberedSpellings.keys().next().value!);
  }
  rememberedSpellings.set(stored, spellings);
  return { preferred: spellings.preferred, all: [...spellings.all] };
}

/**
 * `phoneSpellings(stored).preferred`, which differs from `stored` only for a 0 right after the country code: the
 * ledger partition's key, answered from the digits for every other number.
 */
export function preferredPhoneSpelling(stored: string): string {
  const code = callingCodeOf(stored);
  return code && stored[1 + code.length] !== "0" ? stored : phoneSpellings(stored).preferred;
}

/** Numbers whose spellings are remembered: about a busy day's members of a large tenant. */
const MAX_REMEMBERED_SPELLINGS = 20_000;
const rememberedSpellings = new Map<string, PhoneSpellings>();

/**
 * The metadata's country calling codes (one to three digits, none the start of another, as ITU assigns them), and
 * those read with a trunk 0 always dropped: every country of the code has `0` for its national prefix, nothing else
 * to strip, and numbers of that country only, so a valid number's national digits pass the checks the library makes
 * before dropping a 0 (of the code's main country). `+CC0…` of such a code reads as `+CC…`: never kept as a till read
 * it, so none of its valid numbers has a 0-spelling. Derived once from the metadata, so a new release's plans count.
 */
const { callingCodes, zeroAlwaysDropped } = (() => {
  // Non-geographic codes (`+800`) included: their one "country" is `001`, which is no supported country.
  const countriesOf = new Map<string, string[]>(Object.entries(metadataJson.country_calling_codes));
  const metadata = new Metadata();
  // Not in the library's types: the prefix a national number is read without, and how it is rewritten if at all.
  type TrunkPrefix = { nationalPrefixForParsing(): unknown; nationalPrefixTransformRule(): unknown };
  const dropsZeroOnly = (country: string) => {
    if (!isSupportedCountry(country)) return false;
    metadata.selectNumberingPlan(country);
    const plan = metadata.numberingPlan as unknown as TrunkPrefix;
    return plan.nationalPrefixForParsing() === "0" && !plan.nationalPrefixTransformRule();
  };
  const dropped = [...countriesOf].filter(([, countries]) => countries.length === 1 && dropsZeroOnly(countries[0]!));
  return { callingCodes: new Set(countriesOf.keys()), zeroAlwaysDropped: new Set(dropped.map(([code]) => code)) };
})();

/** The country calling code `phone` starts with, as the library reads it (the first of one to three digits it knows). */
function callingCodeOf(phone: string): string | undefined {
  if (!e164Pattern.test(phone)) return undefined;
  for (let length = 1; length <= 3; length++) {
    const code = phone.slice(1, 1 + length);
    if (callingCodes.has(code)) return code;
  }
  return undefined;
}

/**
 * True when `stored` certainly has no other spelling, told from its digits: no E.164 number (`readPhone` never gives
 * one back), a code the library does not know (it reads nothing), or no 0 after a code whose trunk 0 is always
 * dropped. False means: ask `readPhoneSpellings`.
 */
function withoutOtherSpelling(stored: string): boolean {
  const code = callingCodeOf(stored);
  return !code || (stored[1 + code.length] !== "0" && zeroAlwaysDropped.has(code));
}

/** `phoneSpellings` as parsing tells it, every time: what the digits' fast answer and the remembered ones must equal. */
export function readPhoneSpellings(stored: string): PhoneSpellings {
  const reading = canonicalPhone(stored);
  if (!("phone" in reading) || reading.phone !== stored) return { preferred: stored, all: [stored] };
  const code = parsePhoneNumberFromString(stored)?.countryCallingCode;
  if (!code) return { preferred: stored, all: [stored] };
  const national = stored.slice(1 + code.length);
  if (reading.valid) {
    const zero = `+${code}0${national}`;
    return keptAsRead(zero, false) ? { preferred: stored, all: [stored, zero] } : { preferred: stored, all: [stored] };
  }
  if (!national.startsWith("0")) return { preferred: stored, all: [stored] };
  const folded = `+${code}${national.slice(1)}`;
  return keptAsRead(folded, true) ? { preferred: folded, all: [folded, stored] } : { preferred: stored, all: [stored] };
}

/** `phone` is read as itself (a till would have stored it so), and is valid or not as asked. */
function keptAsRead(phone: string, valid: boolean): boolean {
  if (!e164Pattern.test(phone)) return false;
  const reading = canonicalPhone(phone);
  return "phone" in reading && reading.phone === phone && reading.valid === valid;
}
