import { z } from "@hono/zod-openapi";
import { isTransientDbError } from "@regulars/db";
import { DomainError } from "@regulars/errors";
import { errorResponse, errorResponses, securitySchemeName } from "./openapi-shared.ts";

/** What the customer routes share: the tag, the bearer scheme, the path's customer id, their error answers. */
export const customerRouteBase = {
  tags: ["Customers"],
  security: [{ [securitySchemeName]: [] as string[] }],
};

export const exampleCustomerId = "cus_01jd4z8x9r3v7q2m5n6p8t0w1y";

export const CustomerIdParams = z.object({
  customerId: z
    .string()
    .regex(/^cus_[a-z0-9]{10,40}$/, "must be a customer id (cus_...)")
    .meta({
      param: { name: "customerId", in: "path" },
      description: "The customer's Regulars id, as registration answered it.",
      examples: [exampleCustomerId],
    }),
});

const forbidden = errorResponse(
  "The key's role may not call this (`forbidden`): it needs an `app` key",
  "forbidden",
  "a pos key cannot do this; it needs an app key",
);
const unavailable = errorResponse(
  "The database could not be reached (`unavailable`): nothing was changed, retry later",
  "unavailable",
  "the service is unavailable, retry later",
);
export const customerNotFound = errorResponse(
  "No customer of your tenant has this id, or the customer's personal data was erased (`not_found`)",
  "not_found",
  `no customer ${exampleCustomerId}`,
);
export const phoneTaken = errorResponse(
  "The phone belongs to another customer of this brand (proven by another app account, or known to the tills and not " +
    "proven here), the change would leave a phone-only account with no way to sign in (prove the new number first), or " +
    "the customer has a checkout in progress (`conflict`)",
  "conflict",
  "this phone number belongs to another app account of this brand; sign in with that one",
);

export const customerFailures = { ...errorResponses, 403: forbidden, 503: unavailable };
/** A GET or DELETE has no body to be JSON; one sent anyway is still held to the body limit (413), as on every route. */
export const bodilessCustomerFailures = Object.fromEntries(
  Object.entries(customerFailures).filter(([status]) => status !== "415"),
) as Omit<typeof customerFailures, 415>;

/** A database that cannot be reached is a 503 the app may retry, not a 500. */
export async function orUnavailable<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (e) {
    if (isTransientDbError(e)) throw new DomainError("unavailable", "the service is unavailable, retry later");
    throw e;
  }
}
