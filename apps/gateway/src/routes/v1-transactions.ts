import { createRoute, type OpenAPIHono } from "@hono/zod-openapi";
import { unknownCodeDefaults } from "@regulars/checkout-store";
import { exampleSaleLines, TransactionAccepted, TransactionInput } from "@regulars/contracts";
import { DomainError } from "@regulars/errors";
import type { Context } from "hono";
import { admitTransactions } from "../admission.ts";
import type { GatewayEnv } from "../context.ts";
import { heldBasketAnswers } from "../held-baskets.ts";
import {
  type Admitted,
  isThrottled,
  type Stored,
  storeTransactions,
  type TransactionIntake,
  throttledCodes,
} from "../intake.ts";
import { readValidBody } from "../json-body.ts";
import { errorResponse, errorResponses, exampleTokens, securitySchemeName } from "./openapi-shared.ts";

const { secondsAgo, serial } = exampleTokens;
const saleExample = {
  externalId: `POS17-${serial}-000451`,
  type: "sale",
  occurredAt: secondsAgo(600),
  locationId: "store-017",
  channel: "pos",
  customer: { phone: "+48600100200" },
  currency: "EUR",
  lines: exampleSaleLines,
  total: 1450,
  couponCodes: [],
};

/** What both transaction routes say about posting coupon codes while a key is told too often that codes do not exist. */
export const postedCodesThrottle = {
  /** Followed by how the route refuses, then `until`. */
  counted:
    "A sale's status tells each of its `couponCodes`' outcome, so they count as a quote's do: those no coupon " +
    "campaign has count against the API key that posts the sale (when it is accepted), with the key's quotes and " +
    `holds; codes that exist never count. After ${unknownCodeDefaults.limit} within ` +
    `${unknownCodeDefaults.windowSeconds / 60} minutes (by default), a sale that carries \`couponCodes\` is refused`,
  until:
    "until the window that began with the first unknown code has passed, and so is one whose codes, were they all " +
    "unknown, would go past the limit (in a batch, counting the unknown codes of the sales before it). Nothing of it is stored: post it again then. Sales without codes are never " +
    "refused for this, nor is a sale whose every code was applied by the checkout hold it names in `holdId` (still " +
    "held, or committed by this sale): the codes were held under the same limit. A sale stored before under its " +
    "`externalId` (a retry whose answer was lost) is answered as a repeat is, never refused for this.",
  refusal: errorResponse(
    "Too many requests for this key, or, for a sale with `couponCodes` not all held by its `holdId`'s checkout " +
      "hold, too many unknown coupon codes (`rate_limited`): nothing was stored; post it again after `Retry-After` seconds",
    "rate_limited",
    "too many unknown coupon codes; codes are checked again in 420 s (sales without codes are not held up; post this sale again then)",
  ),
};

const route = createRoute({
  method: "post",
  path: "/v1/transactions",
  operationId: "postTransaction",
  tags: ["Transactions"],
  summary: "Post a sale or refund",
  description:
    "Stores the transaction durably and answers 202 once it is stored; points are awarded asynchronously. " +
    "`externalId` is the idempotency key: posting it again answers `duplicate: true` and changes nothing, so a till " +
    "that did not see the answer simply posts again, even once `occurredAt` has left the accepted window. Send amounts in integer minor units (cents). A 4xx answer means " +
    "nothing was stored: fix the request rather than retrying it, but after a 429 post it again after `Retry-After`; " +
    "a 503 means retry later.\n\n" +
    "Earning rules may pay by `channel`, so the key bounds it: a kiosk key posts channel `kiosk` only; a pos key (a " +
    "till, or an ordering integration) `pos`, `app`, `web` or `delivery`. Another answers 403 `channel_not_allowed` " +
    "(`issues` names `channel`) and nothing is stored.\n\n" +
    `${postedCodesThrottle.counted} 429 \`rate_limited\`, with \`Retry-After\`, ${postedCodesThrottle.until}`,
  security: [{ [securitySchemeName]: [] }],
  request: {
    body: {
      required: true,
      description: "The sale or refund. `currency` must be the tenant's.",
      content: {
        "application/json": {
          schema: TransactionInput,
          examples: {
            sale: { summary: "A sale to a member identified by phone", value: saleExample },
            refund: {
              summary: "A refund of one item of that sale",
              value: {
                externalId: `POS17-${serial}-000452`,
                type: "refund",
                refundOf: saleExample.externalId,
                occurredAt: secondsAgo(60),
                locationId: "store-017",
                channel: "pos",
                customer: { phone: "+48600100200" },
                currency: "EUR",
                lines: [{ sku: "FRIES-L", name: "Fries large", quantity: 1, unitPrice: 350, discount: 0, lineNo: 0 }],
                total: 350,
              },
            },
            anonymous: {
              // Channel pos, as the other examples: each is posted as it is with one (pos) key.
              summary: "An anonymous sale (no customer: earns nothing; a kiosk key posts channel `kiosk`)",
              value: {
                externalId: `POS17-${serial}-000453`,
                type: "sale",
                occurredAt: secondsAgo(120),
                locationId: "store-017",
                channel: "pos",
                currency: "EUR",
                lines: [{ sku: "COFFEE-M", name: "Coffee medium", quantity: 1, unitPrice: 290 }],
                total: 290,
              },
            },
          },
        },
      },
    },
  },
  responses: {
    202: {
      description: "Accepted and stored (or accepted before: `duplicate: true`)",
      content: { "application/json": { schema: TransactionAccepted } },
    },
    ...errorResponses,
    403: errorResponse(
      "The key's role may not post transactions (`forbidden`) or may not name this `channel` " +
        "(`channel_not_allowed`: a kiosk key posts `kiosk` only); nothing was stored",
      "channel_not_allowed",
      "a kiosk key posts transactions of channel kiosk only, not app",
      [{ path: "channel", message: "must be kiosk for a kiosk key" }],
    ),
    429: postedCodesThrottle.refusal,
    409: errorResponse(
      "This `externalId` was accepted before with a different body (`idempotency_conflict`): nothing was stored; post a changed transaction under a new `externalId`. " +
        "Or the sale names in `holdId` a checkout hold still held that was priced on another basket (`hold_mismatch`: " +
        "another `locationId` or `channel`, or `lines` not those quoted, in number, order, sku, quantity or quantity × unitPrice; `issues` names " +
        "the first difference; `customer` when the hold was placed for another customer): nothing was stored; void the " +
        "hold, quote the basket sold and post the sale with the new hold. Or that hold still waits for its customer's " +
        "one-time code (`hold_unconfirmed`): nothing was stored; confirm the hold, then post the sale again. Or that " +
        "hold was claimed by or committed to another sale (`hold_used`: a hold pays for one sale): nothing was " +
        "stored; post the sale without the hold, or with a new one. Or that hold was released (voided), expired or " +
        "is past its `expiresAt`, or is unknown (`hold_ended`): it reserves nothing, and nothing was stored; quote " +
        "the basket again and post the sale with the new hold, or without one",
      "idempotency_conflict",
      "externalId POS17-000451 was accepted before with a different body",
    ),
  },
});

export function registerTransactionRoutes(app: OpenAPIHono<GatewayEnv>, intake: TransactionIntake) {
  // Documented with its schema, validated by `readValidBody` (zod's synchronous fast path).
  app.openAPIRegistry.registerPath(route);
  app.post(route.path, async (c) => {
    const credential = c.get("credential");
    const transaction = await readValidBody(c, TransactionInput);
    const [admission] = await admitTransactions(intake, credential, [transaction], intake.acceptance.now());
    if ("refused" in admission!) throw admission.refused;
    const [stored] = "repeat" in admission! ? [admission.repeat] : await storeAdmitted(c, intake, admission!.admitted);
    if (stored!.outcome === "conflict") throw stored!.error;
    const { transactionId, externalId, outcome } = stored!;
    return c.json(
      { id: transactionId, externalId, status: "accepted" as const, duplicate: outcome === "duplicate" },
      202,
    );
  });
}

/** Stores an admitted sale unless it is refused for its hold or its unknown codes, or turns out a repeat. */
async function storeAdmitted(c: Context<GatewayEnv>, intake: TransactionIntake, admitted: Admitted): Promise<Stored[]> {
  const credential = c.get("credential");
  // Refused for a hold the ledger would not commit (another basket or customer, a code awaited), before its unknown
  // codes are counted, or a repeat.
  const [held] = await heldBasketAnswers(intake, credential.tenantId, [admitted]);
  if (held instanceof DomainError) throw held;
  // Refused for its unknown codes, or a retry of a sale stored before (its 202 was lost) answered as a repeat is.
  const [answer] = held ? [held] : await throttledCodes(intake, credential, [admitted], admitted.receivedAt);
  if (isThrottled(answer!)) {
    c.header("Retry-After", String(answer.retryAfterSeconds));
    throw answer;
  }
  return answer ? [answer] : storeTransactions(intake, credential.tenantId, [admitted]);
}
