import { DomainError } from "@regulars/errors";
import { type CountryCode, parsePhoneNumberWithError } from "libphonenumber-js/max";

/**
 * A phone number as a customer typed it, in E.164 (`+48600100200`): the form the tills post and the one
 * customer identities are kept in, so one person's number is one identity however it was typed. The
 * `max` metadata checks the number against its country's numbering plan, not only its length.
 * `country` (ISO 3166-1 alpha-2) reads a number typed without its country code; without one, the
 * number must be international. A number that is not valid is refused with `path`'s field issue.
 */
export function normalisePhone(raw: string, country?: string | null, path = "phone"): string {
  const refuse = (message: string): never => {
    throw new DomainError("invalid_request", `the phone number is not valid: ${message}`, [{ path, message }]);
  };
  // "00" is the international prefix of most countries: 0048... is +48... when no country says otherwise.
  const typed = country ? raw.trim() : raw.trim().replace(/^00/, "+");
  if (!typed.startsWith("+") && !country) refuse("give it with its country code (+48...) or send `country`");
  try {
    const parsed = parsePhoneNumberWithError(typed, country ? { defaultCountry: country as CountryCode } : undefined);
    if (!parsed.isValid()) refuse(`is not a valid number${parsed.country ? ` in ${parsed.country}` : ""}`);
    return parsed.number;
  } catch (e) {
    if (e instanceof DomainError) throw e;
    return refuse(reasonOf((e as Error).message, typed.startsWith("+")));
  }
}

/** libphonenumber-js's error codes, as a person reads them. */
function reasonOf(code: string, international: boolean): string {
  switch (code) {
    case "INVALID_COUNTRY":
      return international ? "has an unknown country code" : "`country` is not a known country";
    case "TOO_SHORT":
      return "is too short";
    case "TOO_LONG":
      return "is too long";
    default:
      return "is not a phone number";
  }
}
