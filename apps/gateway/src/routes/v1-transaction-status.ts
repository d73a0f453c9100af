import { createRoute, type OpenAPIHono, z } from "@hono/zod-openapi";
import { ExternalId, TransactionStatusView } from "@regulars/contracts";
import type { Db } from "@regulars/db";
import { DomainError } from "@regulars/errors";
import { transactionStatus } from "@regulars/ledger-store";
import type { GatewayEnv } from "../context.ts";
import { errorResponse, errorResponses, securitySchemeName } from "./openapi-shared.ts";

const route = createRoute({
  method: "get",
  path: "/v1/transactions/{externalId}",
  operationId: "getTransactionStatus",
  tags: ["Transactions"],
  summary: "Where a posted transaction stands",
  description:
    "`accepted` (stored, waiting for the ledger) → `processed` (points awarded, with the customer's balance) or `rejected` " +
    "(with a machine-readable `reason.code` and a message). Poll this after a 202 when the till needs to know the outcome. " +
    "A refund that arrived before its sale stays `accepted` with `waitingForSale` (the sale and until when it waits) " +
    "until the sale arrives; later posts of its `externalId` with another body only count under `conflicts`.",
  security: [{ [securitySchemeName]: [] }],
  request: {
    params: z.object({
      externalId: ExternalId.meta({
        description: "The `externalId` the transaction was posted with.",
        param: { name: "externalId", in: "path" },
      }),
    }),
  },
  responses: {
    200: { description: "Its status", content: { "application/json": { schema: TransactionStatusView } } },
    400: errorResponses[400],
    401: errorResponses[401],
    403: errorResponses[403],
    404: errorResponse(
      "Nothing is known of this `externalId` for your tenant (`not_found`): it was never accepted, or its receipt is still being written (retry in a second)",
      "not_found",
      "no transaction POS17-000451 was accepted for this tenant",
    ),
    429: errorResponses[429],
    500: errorResponses[500],
    503: errorResponses[503],
  },
});

export function registerTransactionStatusRoute(app: OpenAPIHono<GatewayEnv>, db: Db) {
  app.openapi(route, async (c) => {
    const { externalId } = c.req.valid("param");
    const status = await transactionStatus(db, c.get("credential").tenantId, externalId);
    if (!status) throw new DomainError("not_found", `no transaction ${externalId} was accepted for this tenant`);
    return c.json(status, 200);
  });
}
