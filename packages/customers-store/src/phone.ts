import { type PhoneReading, readPhone } from "@regulars/contracts";
import { DomainError } from "@regulars/errors";

/**
 * A phone number as a customer typed it, in E.164 (`+48600100200`): read as the tills' numbers are read
 * (`readPhone` of @regulars/contracts), so one person's number is one identity however it was typed or pasted
 * (`(+48) 600…`, `tel:+48…`, with the direction marks a copy from iOS Contacts carries). Stricter than a till: a number
 * must be valid in its country's numbering plan, not only of a possible length, as a person typing their own number
 * is best told of a typo at once. `country` (ISO 3166-1 alpha-2) reads a number typed without its country code;
 * without one, the number must be international. A number that is not valid is refused with `path`'s field issue.
 */
export function normalisePhone(raw: string, country?: string | null, path = "phone"): string {
  const reading = readPhone(raw, country);
  if ("phone" in reading && reading.valid) return reading.phone;
  const message = refusalOf(reading);
  throw new DomainError("invalid_request", `the phone number is not valid: ${message}`, [{ path, message }]);
}

/** Why the number is refused, as a person reads it. */
function refusalOf(reading: PhoneReading): string {
  const where = reading.country ? ` in ${reading.country}` : "";
  if ("phone" in reading) return `is not a valid number${where}`;
  switch (reading.problem) {
    case "no_country_code":
      return "give it with its country code (+48...) or send `country`";
    case "unknown_country_code":
      return "has an unknown country code";
    case "unknown_country":
      return "`country` is not a known country";
    case "not_a_number":
      return "is not a phone number";
    default:
      return `is not a valid number${where}: ${reading.why}`;
  }
}
