import type { UnknownCodeLimit } from "@regulars/checkout";
import type { CustomerRef } from "@regulars/contracts";
import { DomainError, isDomainError } from "@regulars/errors";
import { type CodeTrier, giveBackMisses, type MissCounts, reserveMisses } from "./miss-windows.ts";

/**
 * 20 misses in 10 minutes, as for coupon codes: a busy kiosk's mistyped phone and card numbers stay well below it,
 * while a key guessing numbers (to learn who is a member, with their first name and points) is held to about 2,900
 * guesses a day instead of the 180,000 an hour the per-key rate limit would let through. Kiosk keys sit on public
 * hardware, so a key is all a guesser needs.
 */
export const customerLookupDefaults: UnknownCodeLimit = { limit: 20, windowSeconds: 600 };

/** Refused because the credential was told too often that nobody has an identity; `Retry-After` repeats the wait. */
export class CustomerLookupsThrottled extends DomainError {
  /** `busy`: refused only while more of the key's look-ups are being answered than its limit of misses. */
  constructor(
    readonly retryAfterSeconds: number,
    busy = false,
  ) {
    super(
      "rate_limited",
      `${busy ? "too many look-ups of phone or card numbers by this key are being answered at once" : "too many look-ups of phone or card numbers nobody has"}; ` +
        `they are answered again in ${retryAfterSeconds} s (an app token still identifies the customer)`,
    );
  }
}

/** Identities a person could guess, unlike a customer id or an app token: a phone, card or sign-in subject. */
export type GuessableIdentity = Pick<Partial<CustomerRef>, "phone" | "cardNumber" | "externalIdentity">;

/**
 * Whether `ref` names its customer by an identity someone could guess: the look-ups a till's key has counted
 * (`lookUpCountingMisses`), wherever the till asks, the API or the gateway. By id or app token it is not counted.
 */
export const namesGuessableIdentity = (ref: GuessableIdentity | null | undefined): boolean =>
  ref?.phone !== undefined || ref?.cardNumber !== undefined || ref?.externalIdentity !== undefined;

export interface CustomerLookupOptions {
  limit?: UnknownCodeLimit;
  now?: Date;
}

/**
 * Runs `lookUp`, a look-up of a customer by an identity someone could guess (a phone or card number), with one miss
 * reserved for it in the credential's window beforehand: refused `CustomerLookupsThrottled` once the credential was
 * answered `limit` misses in the window, whether or not this identity exists. A look-up answered `not_found` keeps
 * its miss; any other answer gives it back, so customers found never count. `lookUp` runs only once the
 * reservation is granted: it may hold or enrol nothing for a credential that is refused.
 */
export async function lookUpCountingMisses<T>(
  counts: MissCounts,
  who: CodeTrier,
  lookUp: () => Promise<T>,
  opts: CustomerLookupOptions = {},
): Promise<T> {
  const limit = opts.limit ?? customerLookupDefaults;
  const now = opts.now ?? new Date();
  const reservation = await reserveMisses(
    counts,
    who,
    1,
    now,
    limit,
    (wait, busy) => new CustomerLookupsThrottled(wait, busy),
    "customer_lookups",
  );
  try {
    const found = await lookUp();
    await giveBackMisses(counts, reservation, 1);
    return found;
  } catch (e) {
    // A miss keeps its count; settling it still takes it out of the tries in flight.
    await giveBackMisses(counts, reservation, isDomainError(e) && e.code === "not_found" ? 0 : 1);
    throw e;
  }
}
