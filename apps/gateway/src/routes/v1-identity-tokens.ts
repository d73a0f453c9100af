import { createRoute, type OpenAPIHono, z } from "@hono/zod-openapi";
import { CustomerRef, Timestamp } from "@regulars/contracts";
import { type Db, isTransientDbError } from "@regulars/db";
import { DomainError } from "@regulars/errors";
import { identityTokenTtl, issueToken } from "@regulars/identity-tokens";
import { resolveCustomers } from "@regulars/ledger-store";
import type { GatewayEnv } from "../context.ts";
import { errorResponse, errorResponses, securitySchemeName } from "./openapi-shared.ts";

const { minSeconds, maxSeconds, defaultSeconds } = identityTokenTtl;

export const IdentityTokenRequest = z
  .strictObject({
    customer: CustomerRef.meta({
      description:
        "The signed-in customer the token names, usually by `externalIdentity` or `id`. An identity nobody has " +
        "is a 404: asking for a token never enrols a customer. So is an erased customer's `id`.",
    }),
    ttlSeconds: z
      .number()
      .int("must be a whole number of seconds")
      .min(minSeconds, `must be at least ${minSeconds}`)
      .max(maxSeconds, `must be at most ${maxSeconds}`)
      .optional()
      .meta({
        description: `How long the token identifies, in seconds: ${minSeconds}-${maxSeconds}, ${defaultSeconds} when absent.`,
        examples: [defaultSeconds],
      }),
  })
  .meta({
    id: "IdentityTokenRequest",
    description: "Whom a kiosk identification token is for, and for how long.",
  });

export const IdentityToken = z
  .object({
    token: z.string().meta({
      description:
        "Show this as a QR code in the app; a kiosk scans it to identify the customer. It identifies once, " +
        "at the tenant that issued it only, until `expiresAt`; then ask for a fresh one. Treat it as opaque.",
    }),
    expiresAt: Timestamp.meta({ description: "When the token stops identifying anyone (ISO 8601, UTC)." }),
  })
  .meta({ id: "IdentityToken", description: "A short-lived, single-use token that identifies a customer at a kiosk." });

const route = createRoute({
  method: "post",
  path: "/v1/identity-tokens",
  operationId: "createIdentityToken",
  tags: ["Identity"],
  summary: "A QR token that identifies a customer at a kiosk",
  description:
    "For the brand's app backend (an `app` or `admin` key): a signed token for one of your customers, which the " +
    "app shows as a QR code and a kiosk of the same brand scans instead of asking for a phone number. The token " +
    `identifies once and expires after \`ttlSeconds\` (${defaultSeconds} by default); ask for a new one each time ` +
    "the code is shown.",
  security: [{ [securitySchemeName]: [] }],
  request: {
    body: {
      required: true,
      description: "The customer, and optionally the token's lifetime.",
      content: {
        "application/json": {
          schema: IdentityTokenRequest,
          examples: {
            signedIn: {
              summary: "A customer signed in to the app with Apple",
              value: { customer: { externalIdentity: { provider: "apple", subject: "001234.5f0c9e2b7a.1042" } } },
            },
            byId: {
              summary: "A customer by their Regulars id, with a two-minute code",
              value: { customer: { id: "cus_01jd4z8x9r3v7q2m5n6p8t0w1y" }, ttlSeconds: 120 },
            },
          },
        },
      },
    },
  },
  responses: {
    201: { description: "The token", content: { "application/json": { schema: IdentityToken } } },
    ...errorResponses,
    403: errorResponse(
      "The key's role may not call this (`forbidden`): it needs an `app` or `admin` key",
      "forbidden",
      "a kiosk key cannot do this; it needs an app or admin key",
    ),
    404: errorResponse(
      "No customer of your tenant has this identity (`not_found`); nothing was created",
      "not_found",
      "no customer matches",
    ),
    503: errorResponse(
      "The database could not be reached (`unavailable`): no token was issued, retry later",
      "unavailable",
      "the token could not be issued, retry later",
    ),
  },
});

export function registerIdentityTokenRoute(app: OpenAPIHono<GatewayEnv>, db: Db, now: () => Date) {
  app.openapi(route, async (c) => {
    const { customer, ttlSeconds } = c.req.valid("json");
    const { tenantId } = c.get("credential");
    try {
      const [found] = await resolveCustomers(db, [{ tenantId, ref: customer, create: false, createdVia: "app" }]);
      const customerId = found && "customerId" in found ? found.customerId : null;
      if (!customerId) throw new DomainError("not_found", "no customer matches");
      return c.json(await issueToken(db, tenantId, customerId, { ttlSeconds, now: now() }), 201);
    } catch (e) {
      if (isTransientDbError(e)) throw new DomainError("unavailable", "the token could not be issued, retry later");
      throw e;
    }
  });
}
