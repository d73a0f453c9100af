import { createRoute, type OpenAPIHono } from "@hono/zod-openapi";
import { TransactionInput } from "@regulars/contracts";
import { DomainError, type FieldIssue, issuesFromZod } from "@regulars/errors";
import type { Credential } from "@regulars/tenancy";
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
import { invalidBody, parseJsonBody, readBodyText } from "../json-body.ts";
import { errorResponses, exampleTokens, securitySchemeName } from "./openapi-shared.ts";
import {
  batchItemErrorCodes,
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
    "takes). One invalid transaction never holds back the others. The answer " +
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

type ItemErrorCode = (typeof batchItemErrorCodes)[number];
const isItemErrorCode = (code: string): code is ItemErrorCode =>
  (batchItemErrorCodes as readonly string[]).includes(code);

function invalid(
  index: number,
  raw: unknown,
  code: ItemErrorCode,
  message: string,
  issues?: FieldIssue[],
): TransactionBatchItemResult {
  const sent = (raw as { externalId?: unknown } | null)?.externalId;
  return {
    index,
    externalId: typeof sent === "string" && sent.length <= 128 ? sent : null,
    status: "invalid",
    error: { code, message, ...(issues ? { issues } : {}) },
  };
}

async function readBatch(body: Promise<string>): Promise<{ items: unknown[]; bytes: number }> {
  const text = await body;
  const envelope = TransactionBatchEnvelope.safeParse(parseJsonBody(text));
  if (!envelope.success) throw invalidBody(envelope.error);
  return { items: envelope.data.transactions, bytes: Buffer.byteLength(text) };
}

/**
 * A transaction larger than `POST /v1/transactions` takes is refused on its own, as it would be alone: the batch's
 * body limit is many times that, and one stored over NATS' max_payload fails the whole call on every retry (or, a
 * little under it, its events and dead letters could not be published). Measured only when the whole body is larger
 * than one transaction may be: below that none of its transactions can be.
 */
function refuseOversized(
  index: number,
  raw: unknown,
  bodyBytes: number,
  max: number,
): TransactionBatchItemResult | null {
  if (bodyBytes <= max) return null;
  const bytes = Buffer.byteLength(JSON.stringify(raw));
  if (bytes <= max) return null;
  return invalid(
    index,
    raw,
    "payload_too_large",
    `the transaction is ${bytes} bytes as JSON, more than the ${max} one transaction may carry (as POST /v1/transactions); ` +
      "shorten its lines' names, categories and tags",
    [{ path: "(transaction)", message: `must be at most ${max} bytes as JSON, not ${bytes}` }],
  );
}

/**
 * Takes out of `admitted` the sales whose coupon codes their key may not try now, each answered `throttled` with
 * its wait (the answer's `Retry-After` is the longest), and those stored before (a retry whose answer was lost),
 * answered as repeats. The unknown codes of the rest are reserved against the key, in order, before any is stored.
 */
async function refuseThrottledCodes(
  c: Context<GatewayEnv>,
  intake: TransactionIntake,
  admitted: { index: number; admitted: Admitted }[],
  results: TransactionBatchItemResult[],
  items: unknown[],
): Promise<void> {
  const receivedAt = admitted[0]?.admitted.receivedAt ?? intake.acceptance.now();
  const answers = await throttledCodes(
    intake,
    c.get("credential"),
    admitted.map((a) => a.admitted),
    receivedAt,
  );
  let wait = 0;
  admitted.forEach(({ index, admitted: a }, i) => {
    const answer = answers[i];
    if (!answer) return;
    if (!isThrottled(answer)) {
      results[index] = resultOf(index, items[index], answer);
      return;
    }
    const { retryAfterSeconds, message } = answer;
    const error = { code: "rate_limited" as const, message };
    results[index] = { index, externalId: a.transaction.externalId, status: "throttled", error, retryAfterSeconds };
    wait = Math.max(wait, retryAfterSeconds);
  });
  if (wait) c.header("Retry-After", String(wait));
  const kept = admitted.filter((_, i) => !answers[i]);
  admitted.splice(0, admitted.length, ...kept);
}

/**
 * Takes out of `admitted` the sales naming a hold the ledger would not commit (`invalid`: another basket or customer,
 * or a code still awaited), and repeats of stored ones.
 */
async function refuseMismatchedHolds(
  intake: TransactionIntake,
  tenantId: string,
  admitted: { index: number; admitted: Admitted }[],
  results: TransactionBatchItemResult[],
  items: unknown[],
): Promise<void> {
  const answers = await heldBasketAnswers(
    intake,
    tenantId,
    admitted.map((a) => a.admitted),
  );
  admitted.forEach(({ index }, i) => {
    const answer = answers[i];
    if (answer instanceof DomainError)
      results[index] = invalid(index, items[index], holdRefusalCode(answer), answer.message, answer.issues);
    else if (answer) results[index] = resultOf(index, items[index], answer);
  });
  const kept = admitted.filter((_, i) => !answers[i]);
  admitted.splice(0, admitted.length, ...kept);
}

const holdRefusalCode = (e: DomainError): ItemErrorCode =>
  e.code === "hold_unconfirmed" || e.code === "hold_used" ? e.code : "hold_mismatch";

/** A stored transaction's result: accepted now, a repeat, or refused (another body under its id, its hold taken). */
const resultOf = (index: number, raw: unknown, s: Stored): TransactionBatchItemResult =>
  s.outcome === "conflict"
    ? invalid(
        index,
        raw,
        s.error.code === "hold_used" ? "hold_used" : "idempotency_conflict",
        s.error.message,
        s.error.issues,
      )
    : { index, externalId: s.externalId, status: s.outcome, id: s.transactionId };

/**
 * The parsed transactions `admitTransactions` lets through; the refused are answered `invalid`, and repeats of stored
 * ones (refused now by a window that moved on since, their answer lost) as repeats.
 */
async function admitItems(
  intake: TransactionIntake,
  credential: Credential,
  parsed: { index: number; transaction: TransactionInput }[],
  receivedAt: Date,
  results: TransactionBatchItemResult[],
  items: unknown[],
): Promise<{ index: number; admitted: Admitted }[]> {
  const admissions = await admitTransactions(
    intake,
    credential,
    parsed.map((p) => p.transaction),
    receivedAt,
  );
  return admissions.flatMap((admission, i) => {
    const { index } = parsed[i]!;
    if ("admitted" in admission) return [{ index, admitted: admission.admitted }];
    if ("repeat" in admission) results[index] = resultOf(index, items[index], admission.repeat);
    else {
      const e = admission.refused;
      if (!isItemErrorCode(e.code)) throw e;
      results[index] = invalid(index, items[index], e.code, e.message, e.issues);
    }
    return [];
  });
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
