import { createRoute, type OpenAPIHono } from "@hono/zod-openapi";
import { exampleSaleLines, TransactionAccepted, TransactionInput } from "@regulars/contracts";
import type { GatewayEnv } from "../context.ts";
import { admitTransaction, storeTransactions, type TransactionIntake } from "../intake.ts";
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

const route = createRoute({
  method: "post",
  path: "/v1/transactions",
  operationId: "postTransaction",
  tags: ["Transactions"],
  summary: "Post a sale or refund",
  description:
    "Stores the transaction durably and answers 202 once it is stored; points are awarded asynchronously. " +
    "`externalId` is the idempotency key: posting it again answers `duplicate: true` and changes nothing, so a till " +
    "that did not see the answer simply posts again. Send amounts in integer minor units (cents). A 4xx answer means " +
    "nothing was stored: fix the request rather than retrying it; a 503 means retry later.",
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
              summary: "An anonymous kiosk sale (no customer: earns nothing)",
              value: {
                externalId: `KIOSK3-${serial}-000017`,
                type: "sale",
                occurredAt: secondsAgo(120),
                locationId: "store-017",
                channel: "kiosk",
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
    409: errorResponse(
      "This `externalId` was accepted before with a different body (`idempotency_conflict`): nothing was stored; post a changed transaction under a new `externalId`",
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
    const admitted = admitTransaction(intake, credential, transaction, intake.acceptance.now());
    const [stored] = await storeTransactions(intake, credential.tenantId, [admitted]);
    if (stored!.outcome === "conflict") throw stored!.error;
    const { transactionId, externalId, outcome } = stored!;
    return c.json(
      { id: transactionId, externalId, status: "accepted" as const, duplicate: outcome === "duplicate" },
      202,
    );
  });
}
