import { CustomerRef, Timestamp } from "@regulars/contracts";
import { z } from "zod";

export const GetCustomerInput = CustomerRef;

// Not strict: tRPC's infinite queries add `direction` beside the cursor (the admin's customer history).
export const CustomerLedgerInput = z.object({
  customerId: z.string().min(1),
  /** The `nextCursor` of the previous page: a movement id, since the store pages by comparing ids. */
  cursor: z
    .string()
    .regex(/^mov_[a-z0-9]{10,40}$/, "must be a movement id (mov_...)")
    .nullish(),
  limit: z.number().int().min(1).max(100).default(20),
});

/**
 * A search page's end, `<createdAt>~<customer id>` of its last customer: matches are listed newest first, and
 * customers made in one instant (an import) share the time, so the id orders them and the next page starts after it.
 */
const searchCursorShape = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z)~cus_[a-z0-9]{10,40}$/;
const SearchCursor = z.string().refine((cursor) => {
  const at = searchCursorShape.exec(cursor)?.[1];
  return at !== undefined && !Number.isNaN(Date.parse(at));
}, "must be a search's nextCursor");

// Not strict: tRPC's infinite queries add `direction` beside the cursor (the admin's customer search).
export const SearchCustomersInput = z.object({
  query: z.string().trim().min(2, "type at least 2 characters").max(100),
  /** The `nextCursor` of the previous page. */
  cursor: SearchCursor.nullish(),
  limit: z.number().int().min(1).max(50).default(20),
});

export const searchCursorOf = (customer: { createdAt: Date; id: string }) =>
  `${customer.createdAt.toISOString()}~${customer.id}`;

export function searchCursorAt(cursor: string): { createdAt: Date; id: string } {
  const [at, id] = cursor.split("~");
  return { createdAt: new Date(at!), id: id! };
}

/** Everything about a customer: for admin keys only. */
export interface CustomerView {
  view: "admin";
  /** The customer's own id: the survivor's when the id asked for was merged away. */
  id: string;
  /** The id asked for when it is a customer merged into this one (a till's enrolment); null otherwise. */
  mergedFrom: string | null;
  name: string | null;
  email: string | null;
  phone: string | null;
  cardNumber: string | null;
  dateOfBirth: string | null;
  createdVia: string;
  createdAt: string;
  identities: { kind: string; value: string }[];
  /** `held`: reserved by checkout holds in force (part of `balance`, not spendable by another checkout). */
  points: { balance: number; pending: number; held: number };
  wallet: number;
  /** Wallet cash reserved by checkout holds in force. */
  walletHeld: number;
  /** The tier the customer counts as holding now: a floor in force lifts it. */
  tier: { id: string; since: string | null } | null;
  /** An admin-assigned floor not yet cleared; `active` until `until` (the downgrade job clears it after). */
  tierFloor: { tier: string; until: string; active: boolean } | null;
  lastActivityAt: string | null;
  /** When the customer's personal data was erased (GDPR); the row stays for the ledger. Null while it is held. */
  erasedAt: string | null;
}

/** What a kiosk or POS terminal may show: a separate type, so the admin view never reaches a till by accident. */
export interface TillCustomerView {
  view: "till";
  id: string;
  /** For a greeting; never the full name. */
  firstName: string | null;
  tier: { id: string } | null;
  /** `held`: reserved by checkout holds in force (part of `balance`, not spendable by another checkout). */
  points: { balance: number; pending: number; held: number };
  wallet: number;
  /** Wallet cash reserved by checkout holds in force. */
  walletHeld: number;
}

export type { LedgerLine } from "@regulars/ledger-store";

export const CustomerIdInput = z.object({ customerId: z.string().min(1) });

export const AdjustInput = z.strictObject({
  customerId: z.string().min(1),
  unit: z.enum(["points", "wallet"]).default("points"),
  amount: z
    .number()
    .int("must be a whole number")
    .refine((n) => n !== 0, "must not be zero")
    .refine((n) => Math.abs(n) <= 10_000_000, "is implausibly large"),
  reason: z.string().trim().min(3, "say why, in at least 3 characters").max(500),
  idempotencyKey: z.string().min(1).max(100).nullish(),
});

/** A tier the customer does not fall below until `until` (status match, goodwill); replaces an earlier floor. */
export const SetTierFloorInput = z.strictObject({
  customerId: z.string().min(1),
  tier: z.string().trim().min(1).max(32),
  /** Must lie in the future; checked against the clock where the call runs. */
  until: Timestamp,
  reason: z.string().trim().min(3, "say why, in at least 3 characters").max(500),
});
export type SetTierFloorInput = z.infer<typeof SetTierFloorInput>;
