import { z } from "zod";
import { SafeText } from "./text.ts";

/** Subject-safe: location ids become a token of the JetStream subject. */
export const LocationId = z
  .string()
  .regex(/^[A-Za-z0-9_-]{1,64}$/, "use 1-64 letters, digits, '-' or '_'");

/** Printable ASCII without spaces: it is also the JetStream message id. */
export const ExternalId = z
  .string()
  .regex(/^[\x21-\x7E]{1,128}$/, "use 1-128 printable characters without spaces");

export const E164Phone = z.string().regex(/^\+[1-9]\d{6,14}$/, "must be an E.164 phone number such as +48600100200");
export const CurrencyCode = z.string().regex(/^[A-Z]{3}$/, "must be an ISO 4217 code such as EUR");
export const Timestamp = z.iso.datetime({ offset: true, message: "must be an ISO 8601 date-time with offset" });
/** Money in minor units (cents): integers only, never floats. */
export const Minor = z.number().int("must be an integer amount in minor units (cents)");

/**
 * The largest money amount (minor units) one transaction may carry: ten billion in major units. Money
 * and points are bigint in Postgres and Int64 in ClickHouse; this bound keeps every sum the ledger and
 * the API compute an exact JavaScript number (below 2^53).
 */
export const MAX_TRANSACTION_MINOR = 1_000_000_000_000;

export const Channel = z.enum(["kiosk", "pos", "app", "web", "delivery"]);
export type Channel = z.infer<typeof Channel>;

export const ApiKeyRole = z.enum(["admin", "pos", "kiosk", "analyst"]);
export type ApiKeyRole = z.infer<typeof ApiKeyRole>;

export const ExternalIdentity = z.strictObject({
  provider: z.string().regex(/^[a-z][a-z0-9_-]{1,31}$/, "lower-case provider name such as apple or google"),
  subject: SafeText(1, 255),
});

/** How a request names a customer: exactly one identity. */
export const CustomerRef = z
  .strictObject({
    id: z.string().regex(/^cus_[a-z0-9]{10,40}$/, "must be a customer id (cus_...)").optional(),
    phone: E164Phone.optional(),
    cardNumber: z.string().regex(/^[A-Za-z0-9-]{4,40}$/, "use 4-40 letters, digits or '-'").optional(),
    externalIdentity: ExternalIdentity.optional(),
  })
  .refine((c) => Object.values(c).filter((v) => v !== undefined).length === 1, {
    message: "give exactly one of id, phone, cardNumber, externalIdentity",
  });
export type CustomerRef = z.infer<typeof CustomerRef>;

/** The identity kinds we store; `ext:<provider>` for app sign-ins. */
export function identityOf(ref: CustomerRef): { kind: string; value: string } | { customerId: string } {
  if (ref.id) return { customerId: ref.id };
  if (ref.phone) return { kind: "phone", value: ref.phone };
  if (ref.cardNumber) return { kind: "card", value: ref.cardNumber };
  const ext = ref.externalIdentity!;
  return { kind: `ext:${ext.provider}`, value: ext.subject };
}
