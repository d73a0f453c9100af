import {
  type CodeTrier,
  CustomerLookupsThrottled,
  customerLookupDefaults,
  type GuessableIdentity,
  lookUpCountingMisses,
  type MissCounts,
  namesGuessableIdentity,
  UnknownCodesThrottled,
  unknownCodeDefaults,
} from "@regulars/checkout-store";
import type { CheckoutDeps } from "@regulars/ledger-store";
import type { Context } from "hono";
import type { GatewayEnv } from "../context.ts";
import { errorResponse } from "./openapi-shared.ts";

const minutes = (seconds: number) => seconds / 60;

/** What the checkout routes' documentation says of the two guessing limits, and their 429. */
export const guessing = {
  description:
    `Unknown coupon codes are limited per API key: after ${unknownCodeDefaults.limit} codes answered \`unknown_code\` ` +
    `within ${minutes(unknownCodeDefaults.windowSeconds)} minutes (by default), every quote and hold of that key that ` +
    "carries `couponCodes` is refused 429 `rate_limited`, with `Retry-After`, until the window that began with the " +
    "first unknown code has passed; so is a request whose codes, were they all unknown, would go past the limit. " +
    "Known codes and requests without codes are never counted, and requests without codes are never refused. " +
    "Codes posted on a sale (`/v1/transactions`) count the same way once the ledger has applied it (its status tells " +
    "which were unknown), and the key's sales with codes are refused too while it is over the limit.\n\n" +
    "A `customer` named by `phone`, `cardNumber` or `externalIdentity` is a look-up, limited per API key as the " +
    `customer look-ups of the API are (and counted with them): after ${customerLookupDefaults.limit} answered 404 ` +
    `\`not_found\` within ${minutes(customerLookupDefaults.windowSeconds)} minutes, every quote and hold of that key ` +
    "naming its customer so is refused 429 `rate_limited`, with `Retry-After`, until the window has passed, whether " +
    "or not that customer exists. Customers found are never counted; a `customer` named by `id`, and a " +
    "guest's basket, are never refused.",
  refusal: errorResponse(
    "Too many requests for this key, too many unknown coupon codes, or too many look-ups of customers nobody has " +
      "(`rate_limited`): wait `Retry-After` seconds",
    "rate_limited",
    "too many unknown coupon codes; codes are checked again in 420 s (checkouts without codes are not held up)",
  ),
};

/** A refusal for guessing says when the key is answered again, as the key's request limit does. */
export async function retryAfterOnThrottle<T>(c: Context<GatewayEnv>, work: Promise<T>): Promise<T> {
  try {
    return await work;
  } catch (e) {
    if (e instanceof UnknownCodesThrottled || e instanceof CustomerLookupsThrottled)
      c.header("Retry-After", String(e.retryAfterSeconds));
    throw e;
  }
}

/** The key a request's guesses are counted against. */
export const codeTrier = (c: Context<GatewayEnv>): CodeTrier => {
  const { tenantId, keyId } = c.get("credential");
  return { tenantId, credentialId: keyId };
};

/**
 * Runs `work`, a quote or hold for `customer`, counting it as a look-up of the key's when it names the customer by an
 * identity someone could guess: the checkout routes take the same pos and kiosk keys as the API's till procedures,
 * and without the same count a key taken off a kiosk would learn here, unlimited, who is a member and their points.
 */
export function countingCustomerLookups<T>(
  c: Context<GatewayEnv>,
  deps: Pick<CheckoutDeps, "db" | "now">,
  counts: MissCounts | undefined,
  customer: GuessableIdentity | null | undefined,
  work: () => Promise<T>,
): Promise<T> {
  if (!namesGuessableIdentity(customer)) return work();
  return lookUpCountingMisses(counts ?? deps.db, codeTrier(c), work, deps.now ? { now: deps.now() } : {});
}
