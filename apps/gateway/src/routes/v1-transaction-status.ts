import { createRoute, type OpenAPIHono, z } from "@hono/zod-openapi";
import { ExternalId, TransactionStatusView, tillTransactionStatus } from "@regulars/contracts";
import type { Db } from "@regulars/db";
import { DomainError } from "@regulars/errors";
import { transactionStatus } from "@regulars/ledger-store";
import type { GatewayEnv } from "../context.ts";
import type { ReceiptLog } from "../receipts.ts";
import { errorResponse, errorResponses, securitySchemeName } from "./openapi-shared.ts";

const notKnownYet = (externalId: string) =>
  `no transaction ${externalId} is known for this tenant yet; one answered 202 in the last second may not be visible yet: ask again`;

const route = createRoute({
  method: "get",
  path: "/v1/transactions/{externalId}",
  operationId: "getTransactionStatus",
  tags: ["Transactions"],
  summary: "Where a posted transaction stands",
  description:
    "`accepted` (stored, waiting for the ledger) → `processed` (points awarded) or `rejected` " +
    "(with a machine-readable `reason.code` and a message). Poll this after a 202 when the till needs to know the outcome. " +
    "It does not say whose sale it was (`customerId`, lines and the explanation are omitted; the balance stays, with " +
    "no name to it): any till of the tenant may ask about any `externalId`. " +
    "A refund that arrived before its sale stays `accepted` with `waitingForSale` (the sale and until when it waits) " +
    "until the sale arrives; later posts of its `externalId` with another body only count under `conflicts`. " +
    "The gateway process that answered the 202 says `accepted` at once; another one may take up to a second.",
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
      "Nothing is known of this `externalId` for your tenant yet (`not_found`). Not a refusal: one answered 202 in the " +
        "last second may not be visible yet when another gateway process answers; ask again before posting it again",
      "not_found",
      notKnownYet("POS17-000451"),
    ),
    429: errorResponses[429],
    500: errorResponses[500],
    503: errorResponses[503],
  },
});

/** `receipts` is this process's log of what it accepted: what it has not written yet is answered from there. */
export function registerTransactionStatusRoute(app: OpenAPIHono<GatewayEnv>, db: Db, receipts: ReceiptLog | null) {
  app.openapi(route, async (c) => {
    const { externalId } = c.req.valid("param");
    const { tenantId } = c.get("credential");
    // Looked up before Postgres: a receipt leaves the log only once written, so a flush finishing during the read
    // cannot make it missing from both.
    const unwritten = receipts?.unwrittenReceipt(tenantId, externalId) ?? null;
    const status = await transactionStatus(db, tenantId, externalId);
    // Only pos and kiosk keys reach this route, and the key that posted a transaction is not kept with it: every
    // caller gets the till's view, or guessing (often sequential) external ids would tell whose each sale was.
    if (status) return c.json(tillTransactionStatus(status), 200);
    if (!unwritten) throw new DomainError("not_found", notKnownYet(externalId));
    return c.json(
      {
        status: "accepted" as const,
        externalId,
        id: unwritten.transactionId,
        receivedAt: unwritten.receivedAt.toISOString(),
        waitingForSale: null,
        conflicts: 0,
      },
      200,
    );
  });
}
