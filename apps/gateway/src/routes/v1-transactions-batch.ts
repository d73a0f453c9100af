import { createRoute, type OpenAPIHono } from "@hono/zod-openapi";
import { TransactionInput } from "@regulars/contracts";
import { issuesFromZod } from "@regulars/errors";
import type { GatewayEnv } from "../context.ts";
import { storeTransactions, type TransactionIntake } from "../intake.ts";
import { invalidBody, parseJsonBody, readBodyText } from "../json-body.ts";
import { errorResponses, exampleTokens, securitySchemeName } from "./openapi-shared.ts";
import {
  admitItems,
  invalid,
  refuseMismatchedHolds,
  refuseOversized,
  refuseThrottledCodes,
  resultOf,
} from "./transaction-batch-items.ts";
import {
  maxBatchTransactions,
  TransactionBatchEnvelope,
  TransactionBatchInput,
  type TransactionBatchItemResult,
  TransactionBatchResult,
} from "./transaction-batch-schemas.ts";
import { postedCodesThrottle } from "./v1-transactions.ts";

const { secondsAgo, serial } = exampleTokens;
const path = "/v1/transactions/batch";

const offlineSale = (n: string, ago: number, phone: string) => ({
  externalId: `POS17-${serial}-${n}`,
  type: "sale",
  occurredAt: secondsAgo(ago),
  locationId: "store-017",
  channel: "pos",
  customer: { phone },
  currency: "EUR",
  lines: [{ sku: "BURGER-CLASSIC", name: "Classic burger", category: "burgers", quantity: 1, unitPrice: 790 }],
  total: 790,
});

const route = createRoute({
  method: "post",
  path,
  operationId: "postTransactionBatch",
  tags: ["Transactions"],
  summary: "Upload up to 500 sales and refunds at once",
  description:
    `For tills that recorded sales while offline: up to ${maxBatchTransactions} transactions in one call, each checked and ` +
    "stored on its own, with a result per transaction: `accepted`, `duplicate` (accepted before, nothing changed) or " +
    "`invalid` with the reason and the refused fields (`payload_too_large` for one larger than `POST /v1/transactions` " +
    "takes, `channel_not_allowed` for a `channel` the key may not post: a kiosk key posts `kiosk` only). " +
    "One invalid transaction never holds back the others. The answer " +
    "(202) comes only after every accepted transaction is stored. `externalId` is each transaction's idempotency key, so " +
    "after a timeout or a 503 the till simply sends the same batch again. The per-key rate limit counts one request per call.\n\n" +
    `${postedCodesThrottle.counted} on its own (\`throttled\`, \`rate_limited\`, with \`retryAfterSeconds\`; the ` +
    `answer carries \`Retry-After\`) ${postedCodesThrottle.until}`,
  security: [{ [securitySchemeName]: [] }],
  request: {
    body: {
      required: true,
      description: "The transactions, in the order the till recorded them.",
      content: {
        "application/json": {
          schema: TransactionBatchInput,
          examples: {
            offlineBacklog: {
              summary: "Two sales recorded offline yesterday and this morning, and a refund of the first",
              value: {
                transactions: [
                  offlineSale("000901", 86_400, "+48600100200"),
                  offlineSale("000902", 3_600, "+48600100201"),
                  {
                    externalId: `POS17-${serial}-000903`,
                    type: "refund",
                    refundOf: `POS17-${serial}-000901`,
                    occurredAt: secondsAgo(1_800),
                    locationId: "store-017",
                    channel: "pos",
                    customer: { phone: "+48600100200" },
                    currency: "EUR",
                    lines: [{ sku: "BURGER-CLASSIC", name: "Classic burger", quantity: 1, unitPrice: 790, lineNo: 0 }],
                    total: 790,
                  },
                ],
              },
            },
          },
        },
      },
    },
  },
  responses: {
    202: {
      description: "Every transaction has its result; the accepted ones are stored",
      content: {
        "application/json": {
          schema: TransactionBatchResult,
          example: {
            accepted: 1,
            duplicates: 1,
            invalid: 1,
            throttled: 0,
            results: [
              { index: 0, externalId: "POS17-000901", status: "accepted", id: "txn_01jd4z8x9r3v7q2m5n6p8t0w1y" },
              { index: 1, externalId: "POS17-000902", status: "duplicate", id: "txn_01jd4z8x9r3v7q2m5n6p8t0w2z" },
              {
                index: 2,
                externalId: "POS17-000903",
                status: "invalid",
                error: {
                  code: "invalid_request",
                  message: "the transaction is invalid: total",
                  issues: [{ path: "total", message: "must equal the lines after discounts (790)" }],
                },
              },
            ],
          },
        },
      },
    },
    ...errorResponses,
  },
});

async function readBatch(body: Promise<string>): Promise<{ items: unknown[]; bytes: number }> {
  const text = await body;
  const envelope = TransactionBatchEnvelope.safeParse(parseJsonBody(text));
  if (!envelope.success) throw invalidBody(envelope.error);
  return { items: envelope.data.transactions, bytes: Buffer.byteLength(text) };
}

export function registerTransactionBatchRoute(app: OpenAPIHono<GatewayEnv>, intake: TransactionIntake) {
  // Documented with the full item schema, validated item by item below: the route's own validator would
  // refuse the whole batch for one broken transaction.
  app.openAPIRegistry.registerPath(route);
  app.post(path, async (c) => {
    const credential = c.get("credential");
    const { items, bytes } = await readBatch(readBodyText(c));
    const receivedAt = intake.acceptance.now();
    const results: TransactionBatchItemResult[] = new Array(items.length);
    const parsedItems: { index: number; transaction: TransactionInput }[] = [];
    items.forEach((raw, index) => {
      const oversized = refuseOversized(index, raw, bytes, intake.maxTransactionBytes);
      if (oversized) {
        results[index] = oversized;
        return;
      }
      const parsed = TransactionInput.safeParse(raw);
      if (!parsed.success) {
        const issues = issuesFromZod(parsed.error).map((i) =>
          i.path === "(body)" ? { ...i, path: "(transaction)" } : i,
        );
        const fields = issues.map((i) => i.path).join(", ");
        results[index] = invalid(index, raw, "invalid_request", `the transaction is invalid: ${fields}`, issues);
        return;
      }
      parsedItems.push({ index, transaction: parsed.data });
    });
    const admitted = await admitItems(intake, credential, parsedItems, receivedAt, results, items);
    await refuseMismatchedHolds(intake, credential.tenantId, admitted, results, items);
    await refuseThrottledCodes(c, intake, admitted, results, items);
    const stored = admitted.length
      ? await storeTransactions(
          intake,
          credential.tenantId,
          admitted.map((a) => a.admitted),
        )
      : [];
    stored.forEach((s, i) => {
      const { index } = admitted[i]!;
      results[index] = resultOf(index, items[index], s);
    });
    for (const r of results) if (r.error) intake.onRefused(r.error.code); // invalid and throttled items
    const count = (status: TransactionBatchItemResult["status"]) => results.filter((r) => r.status === status).length;
    const body: TransactionBatchResult = {
      accepted: count("accepted"),
      duplicates: count("duplicate"),
      invalid: count("invalid"),
      throttled: count("throttled"),
      results,
    };
    return c.json(body, 202);
  });
}
