import { createRoute, type OpenAPIHono } from "@hono/zod-openapi";
import { publishJson, type Bus } from "@regulars/bus";
import { TransactionAccepted, TransactionInput, type TransactionMessage } from "@regulars/contracts";
import { DomainError } from "@regulars/errors";
import { stableId } from "@regulars/ids";
import type { GatewayEnv } from "../context.ts";
import { type Acceptance, refuseOutOfRange } from "./acceptance.ts";
import { errorResponses } from "./openapi-shared.ts";

const route = createRoute({
  method: "post",
  path: "/v1/transactions",
  summary: "Post a sale or refund",
  description:
    "Stores the transaction durably and answers 202 once JetStream has acknowledged it; points are awarded asynchronously. " +
    "`externalId` is the idempotency key: posting it again answers `duplicate: true` and changes nothing.",
  security: [{ apiKey: [] }],
  request: { body: { required: true, content: { "application/json": { schema: TransactionInput } } } },
  responses: {
    202: { description: "Accepted and stored", content: { "application/json": { schema: TransactionAccepted } } },
    ...errorResponses,
  },
});

export function registerTransactionRoutes(app: OpenAPIHono<GatewayEnv>, bus: Bus, acceptance: Acceptance, onPublished: (duplicate: boolean) => void) {
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
    const published = await publishOrUnavailable(() =>
      publishJson(bus.js, bus.topology.subjects.transaction(tenantId, transaction.locationId), message, `${tenantId}:${transaction.externalId}`),
    );
    onPublished(published.duplicate);
    return c.json({ id: transactionId, externalId: transaction.externalId, status: "accepted" as const, duplicate: published.duplicate }, 202);
  });
}

/** A message that is not stored must not be answered 202: the terminal keeps it and retries. */
export async function publishOrUnavailable<T>(publish: () => Promise<T>): Promise<T> {
  try {
    return await publish();
  } catch (e) {
    throw new DomainError("unavailable", `the message could not be stored, retry later (${(e as Error).message})`);
  }
}
