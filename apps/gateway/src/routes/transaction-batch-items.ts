import type { TransactionInput } from "@regulars/contracts";
import { DomainError, type FieldIssue } from "@regulars/errors";
import type { Credential } from "@regulars/tenancy";
import type { Context } from "hono";
import { admitTransactions } from "../admission.ts";
import type { GatewayEnv } from "../context.ts";
import { heldBasketAnswers } from "../held-baskets.ts";
import { type Admitted, isThrottled, type Stored, type TransactionIntake, throttledCodes } from "../intake.ts";
import { batchItemErrorCodes, type TransactionBatchItemResult } from "./transaction-batch-schemas.ts";

type ItemErrorCode = (typeof batchItemErrorCodes)[number];
const isItemErrorCode = (code: string): code is ItemErrorCode =>
  (batchItemErrorCodes as readonly string[]).includes(code);

/** A transaction of the batch refused on its own, under the `externalId` it sent when that one is readable. */
export function invalid(
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

/**
 * A transaction larger than `POST /v1/transactions` takes is refused on its own, as it would be alone: the batch's
 * body limit is many times that, and one stored over NATS' max_payload fails the whole call on every retry (or, a
 * little under it, its events and dead letters could not be published). Measured only when the whole body is larger
 * than one transaction may be: below that none of its transactions can be.
 */
export function refuseOversized(
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
export async function refuseThrottledCodes(
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
 * a code still awaited, another sale's, or ended), and repeats of stored ones.
 */
export async function refuseMismatchedHolds(
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
  e.code === "hold_unconfirmed" || e.code === "hold_used" || e.code === "hold_ended" ? e.code : "hold_mismatch";

/**
 * A stored transaction's result: accepted now, a repeat, or refused (another body under its id, its hold taken or
 * ended meanwhile).
 */
export const resultOf = (index: number, raw: unknown, s: Stored): TransactionBatchItemResult =>
  s.outcome === "conflict"
    ? invalid(
        index,
        raw,
        s.error.code === "hold_used" || s.error.code === "hold_ended" ? s.error.code : "idempotency_conflict",
        s.error.message,
        s.error.issues,
      )
    : { index, externalId: s.externalId, status: s.outcome, id: s.transactionId };

/**
 * The parsed transactions `admitTransactions` lets through; the refused are answered `invalid`, and repeats of stored
 * ones (refused now by a window that moved on since, their answer lost) as repeats.
 */
export async function admitItems(
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
