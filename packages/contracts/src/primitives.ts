import { z } from "zod";
import { canonicalPhone, e164Pattern } from "./phone.ts";
import { SafeText } from "./text.ts";

export { type PhoneProblem, type PhoneReading, type PhoneSpellings, phoneSpellings, readPhone } from "./phone.ts";

/** Subject-safe: location ids become a token of the JetStream subject. */
export const LocationId = z
  .string()
  .regex(/^[A-Za-z0-9_-]{1,64}$/, "use 1-64 letters, digits, '-' or '_'")
  .meta({ description: "Your id of the store or site: 1-64 letters, digits, '-' or '_'.", examples: ["store-017"] });

/**
 * Printable ASCII without spaces: it is also the JetStream message id. What consumers read from the streams: ids
 * made only of dots were accepted before `ExternalId` refused them, and such a message must still apply.
 */
export const StoredExternalId = z
  .string()
  .regex(/^[\x21-\x7E]{1,128}$/, "use 1-128 printable characters without spaces");

/**
 * An id a client posts. Not only dots: `GET /v1/transactions/%2E` resolves as a path step (`.` or `..`), so a
 * transaction or event posted under such an id could never have its status read.
 */
export const ExternalId = StoredExternalId.refine((id) => !/^\.+$/.test(id), "must not be only dots").meta({
  description: "Your own id: 1-128 printable ASCII characters, no spaces, not only dots.",
});

/**
 * A phone number as tills, kiosks, events and checkout name a customer: its text is the customer's phone identity,
 * so it is stored in the form `readPhone` gives, the one the app's numbers get too (`normalisePhone` of
 * @regulars/customers-store reads them the same way); a till's `+4407911123456` (the national trunk 0 kept) is then
 * the app's `+447911123456`: one customer. A 0 after the code of a country with no trunk prefix (`+480600200402`)
 * stays as sent, as tills have stored such numbers (`readPhone`): the app refuses that form.
 * Refused only when no number of its country can have its length ("possible"), not when outside the numbering plan as
 * the metadata knows it ("valid"), where the app refuses it: a sale is not turned away for a number range opened after
 * this library's release, and every message already on the stream is read again with this schema by the workers, so a
 * stricter reading would dead-letter sales answered 202. The app can ask a person to retype a number; a till's sale
 * cannot be asked again.
 */
export const E164Phone = z
  .string()
  .regex(e164Pattern, "must be an E.164 phone number such as +48600100200")
  .transform((raw, ctx) => {
    const reading = canonicalPhone(raw);
    if ("phone" in reading) return reading.phone;
    ctx.addIssue({ code: "custom", message: `must be a possible phone number (${reading.why})`, input: raw });
    return z.NEVER;
  })
  .meta({
    description:
      "Phone number in E.164 form: '+', country code, number, no spaces. Stored canonically (a national trunk 0 after " +
      "the country code is dropped where the country has one: +4407911123456 is +447911123456; +480600200402 stays " +
      "as sent, Poland having none); a length no number of its country has is a 400.",
    examples: ["+48600100200"],
  });
/**
 * A BCP 47 language tag as tenants, templates and customers carry it: `pl`, `en-GB`, `pt-BR`. Kept to the
 * language and region forms the fallback rules understand (the primary subtag is the first part).
 */
export const LanguageTag = z
  .string()
  .regex(/^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$/, "a language tag such as `pl` or `en-GB`")
  .meta({ description: "BCP 47 language tag: `pl`, `en-GB`." });
export type LanguageTag = z.infer<typeof LanguageTag>;

export const CurrencyCode = z
  .string()
  .regex(/^[A-Z]{3}$/, "must be an ISO 4217 code such as EUR")
  .meta({ description: "ISO 4217 currency code.", examples: ["EUR"] });
/**
 * Real UTC offsets run from -12:00 to +14:00. The ISO format alone allows up to ±23:59, which Postgres cannot
 * store (beyond ±15:59 it is "time zone displacement out of range"): such a time must be refused at the door,
 * not accepted and then rejected by the ledger.
 */
function offsetInRealRange(iso: string): boolean {
  const offset = /([+-])(\d{2}):(\d{2})$/.exec(iso);
  if (!offset) return true; // `Z`, or not a date-time at all (the format check says so)
  const minutes = (offset[1] === "-" ? -1 : 1) * (Number(offset[2]) * 60 + Number(offset[3]));
  return minutes >= -12 * 60 && minutes <= 14 * 60;
}

/**
 * The earliest instant any store holds: ClickHouse's DateTime64 starts at 1900-01-01 00:00 UTC, and Postgres
 * refuses year 0000 outright (a 500 once it got there). No sale, event, consent or validity bound is older;
 * a date of birth is a `DateOfBirth`, not a Timestamp. Compared as an instant: `1900-01-01T00:30+01:00` is too early.
 */
const EARLIEST_TIMESTAMP_MS = Date.UTC(1900, 0, 1);
const notBeforeEarliest = (iso: string) => {
  const ms = Date.parse(iso);
  return Number.isNaN(ms) || ms >= EARLIEST_TIMESTAMP_MS; // not a date-time at all: the format check says so
};

/** Its messages ("required", "must be an ISO 8601 date-time ...") come from the shared field messages. */
export const Timestamp = z.iso
  .datetime({ offset: true })
  .refine(offsetInRealRange, "must have a UTC offset from -12:00 to +14:00, such as +01:00 or Z")
  .refine(notBeforeEarliest, "must be 1900-01-01T00:00:00Z or later")
  .meta({
    description:
      "ISO 8601 date-time with a UTC offset ('Z' or '+01:00', from -12:00 to +14:00), not before " +
      "1900-01-01T00:00:00Z; fractions of a second allowed.",
  });
/** Money in minor units (cents): integers only, never floats. */
export const Minor = z
  .number()
  .int("must be an integer amount in minor units (cents)")
  .meta({ description: "Money in integer minor units of the currency (cents: 1250 means 12.50)." });

/**
 * The largest money amount (minor units) one transaction may carry: ten billion in major units. Money
 * and points are bigint in Postgres and Int64 in ClickHouse; this bound keeps every sum the ledger and
 * the API compute an exact JavaScript number (below 2^53).
 */
export const MAX_TRANSACTION_MINOR = 1_000_000_000_000;

export const Channel = z.enum(["kiosk", "pos", "app", "web", "delivery"]).meta({
  id: "Channel",
  description: "Where the customer ordered: in-store kiosk, staffed till (pos), app, web shop or delivery platform.",
});
export type Channel = z.infer<typeof Channel>;

/** `app`: the brand's mobile-app backend (identity tokens for its signed-in customers). */
export const ApiKeyRole = z.enum(["admin", "pos", "kiosk", "analyst", "app"]);
export type ApiKeyRole = z.infer<typeof ApiKeyRole>;

export const ExternalIdentity = z
  .strictObject({
    provider: z
      .string()
      .regex(/^[a-z][a-z0-9_-]{1,31}$/, "lower-case provider name such as apple or google")
      .meta({
        description: "Who signed the customer in: a lower-case provider name (2-32 characters).",
        examples: ["google"],
      }),
    subject: SafeText(1, 255).meta({
      description: "The provider's stable user id for this customer (the OpenID `sub`).",
      examples: ["108722364411239847110"],
    }),
  })
  .meta({ id: "ExternalIdentity", description: "A sign-in identity from an app login provider." });

/**
 * The number printed on a loyalty card, kept as posted: the message and its fingerprint (`transactionFingerprint`,
 * compared with the one stored for a retry) are the body the till sent, so a sale posted as `card-000417` stays that
 * sale. As an identity it has no case: `identityOf` upper-cases it, so every way in (a till's sale or hold, a kiosk's
 * or an admin's look-up) names `card-000417` and `CARD-000417` alike: one card, one customer, one ledger partition.
 */
export const CardNumber = z
  .string()
  .regex(/^[A-Za-z0-9-]{4,40}$/, "use 4-40 letters, digits or '-'")
  .meta({
    description:
      "The number printed on a loyalty card: 4-40 letters, digits or '-', case-insensitive (stored upper case).",
    examples: ["CARD-000417"],
  });

/** How a request names a customer: exactly one identity. */
export const CustomerRef = z
  .strictObject({
    id: z
      .string()
      .regex(/^cus_[a-z0-9]{10,40}$/, "must be a customer id (cus_...)")
      .meta({ description: "A customer id issued by Regulars (`cus_...`), e.g. from a scanned app QR code." })
      .optional(),
    phone: E164Phone.meta({
      description: "The customer's phone number in E.164 form, stored canonically (+4407911123456 is +447911123456).",
    }).optional(),
    cardNumber: CardNumber.optional(),
    externalIdentity: ExternalIdentity.optional(),
  })
  .refine((c) => Object.values(c).filter((v) => v !== undefined).length === 1, {
    message: "give exactly one of id, phone, cardNumber, externalIdentity",
  })
  .meta({
    id: "CustomerRef",
    description:
      "Who the customer is: exactly one identity, one of `id`, `phone`, `cardNumber` or `externalIdentity`. " +
      "Two identities, or none, is a 400. Other fields are refused.",
    examples: [{ phone: "+48600100200" }],
  });
export type CustomerRef = z.infer<typeof CustomerRef>;

/** The identity kinds we store; `ext:<provider>` for app sign-ins. A card is its upper-case spelling (`CardNumber`). */
export function identityOf(ref: CustomerRef): { kind: string; value: string } | { customerId: string } {
  if (ref.id) return { customerId: ref.id };
  if (ref.phone) return { kind: "phone", value: ref.phone };
  if (ref.cardNumber) return { kind: "card", value: ref.cardNumber.toUpperCase() };
  const ext = ref.externalIdentity!;
  return { kind: `ext:${ext.provider}`, value: ext.subject };
}
