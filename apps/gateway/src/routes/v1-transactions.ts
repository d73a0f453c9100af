import { createRoute, type OpenAPIHono } from "@hono/zod-openapi";
import { type Bus, publishJson } from "@regulars/bus";
import { TransactionAccepted, TransactionInput, TransactionMessage, transactionFingerprint } from "@regulars/contracts";
import { DomainError } from "@regulars/errors";
import { stableId } from "@regulars/ids";
import type { GatewayEnv } from "../context.ts";
import type { ReceiptLog } from "../receipts.ts";
import { type Acceptance, refuseOutOfRange } from "./acceptance.ts";
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
  lines: [
    {
      sku: "FRIES-L",
      name: "Fries large",
      category: "sides",
      tags: ["vegetarian"],
      quantity: 2,
      unitPrice: 350,
      discount: 0,
    },
    {
      sku: "BURGER-CLASSIC",
      name: "Classic burger",
      category: "burgers",
      tags: [],
      quantity: 1,
      unitPrice: 790,
      discount: 40,
    },
  ],
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

export function registerTransactionRoutes(
  app: OpenAPIHono<GatewayEnv>,
  bus: Bus,
  acceptance: Acceptance,
  receipts: ReceiptLog | null,
  onPublished: (duplicate: boolean) => void,
) {
  app.openapi(route, async (c) => {
    const transaction = c.req.valid("json");
    const { tenantId, tenant } = c.get("credential");
    const receivedAt = acceptance.now();
    refuseOutOfRange(transaction.occurredAt, receivedAt, acceptance);
    if (transaction.currency !== tenant.currency) {
      throw new DomainError("invalid_request", "the currency does not match the tenant's", [
        { path: "currency", message: `must be ${tenant.currency}, the currency of this tenant` },
      ]);
    }
    const transactionId = stableId("transaction", tenantId, transaction.externalId);
    const message: TransactionMessage = { tenantId, transactionId, receivedAt: receivedAt.toISOString(), transaction };
    const published = await publishOrUnavailable(bus, () =>
      publishJson(
        bus.js,
        bus.topology.subjects.transaction(tenantId, transaction.locationId),
        message,
        `${tenantId}:${transaction.externalId}`,
      ),
    );
    const bodyHash = transactionFingerprint(transaction);
    // JetStream dropped the repeat and named the message it kept: the same body is a retry, another is a conflict.
    const original = published.duplicate ? await fingerprintAt(bus, published.seq) : null;
    if (original && original !== bodyHash) {
      throw new DomainError(
        "idempotency_conflict",
        `externalId ${transaction.externalId} was accepted before with a different body; post a changed transaction under a new externalId`,
      );
    }
    receipts?.add({ tenantId, externalId: transaction.externalId, transactionId, bodyHash, receivedAt });
    onPublished(published.duplicate);
    return c.json(
      {
        id: transactionId,
        externalId: transaction.externalId,
        status: "accepted" as const,
        duplicate: published.duplicate,
      },
      202,
    );
  });
}

/**
 * A message that is not stored must not be answered 202: the terminal keeps it and retries. While the
 * connection to NATS is known to be lost the answer is immediate, instead of after the publish timeout.
 */
export async function publishOrUnavailable<T>(bus: Bus, publish: () => Promise<T>): Promise<T> {
  if (!bus.isConnected())
    throw new DomainError(
      "unavailable",
      "the message could not be stored, retry later (the message bus is unreachable)",
    );
  try {
    return await publish();
  } catch (e) {
    throw new DomainError("unavailable", `the message could not be stored, retry later (${(e as Error).message})`);
  }
}

/** The fingerprint of the transaction stored at `seq`, or null when it cannot be read (then the repeat counts as a retry). */
async function fingerprintAt(bus: Bus, seq: number): Promise<string | null> {
  const stored = await bus.jsm.streams.getMessage(bus.topology.streams.transactions, { seq }).catch(() => null);
  const parsed = stored ? TransactionMessage.safeParse(stored.json()) : null;
  return parsed?.success ? transactionFingerprint(parsed.data.transaction) : null;
}
