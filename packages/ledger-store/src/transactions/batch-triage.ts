import { type RejectionCode, storedFingerprintMatches } from "@regulars/contracts";
import { sqlArray } from "@regulars/db";
import { stableId } from "@regulars/ids";
import { resolveOrCreateCustomers } from "../customers/resolve.ts";
import { salesNamingTakenHolds } from "../holds/taken-holds.ts";
import type { BatchWork } from "./batch-work.ts";
import { waitingUnder } from "./parked.ts";
import { lockPositions } from "./partitions.ts";
import { customersOfSales } from "./sale-records.ts";

// Which of a batch's messages apply, and for whom: the first steps of `applyTransactionBatch`, before any
// customer's points are planned.

/** Messages a previous holder of their partition applied already (at or below its position): skipped. */
export async function appliedBeforeByPosition(work: BatchWork): Promise<Set<number>> {
  const { guard, sources } = work.opts;
  if (!guard || !sources) return new Set();
  const positions = await lockPositions(
    work.tx,
    guard,
    sources.map((s) => s.partition),
  );
  return new Set(sources.flatMap((s, i) => (s.seq <= (positions.get(s.partition) ?? 0) ? [i] : [])));
}

/** A message repeated inside the batch counts once; a repeat with another body is a conflict. */
export function firstOccurrences(work: BatchWork): number[] {
  const first = new Map<string, number>();
  const todo: number[] = [];
  work.messages.forEach((m, i) => {
    const seen = first.get(m.transactionId);
    if (seen === undefined) {
      first.set(m.transactionId, i);
      todo.push(i);
    } else if (work.hashes[seen] !== work.hashes[i]) {
      work.reject(
        i,
        "idempotency_conflict",
        `externalId ${m.transaction.externalId} was posted before with a different body`,
      );
    }
  });
  return todo;
}

/** Each sale's customer, created on a first visit by phone or card; an unknown app identity is rejected. */
export async function resolveSaleCustomers(work: BatchWork, todo: number[]): Promise<void> {
  const withCustomer = todo.filter((i) => !work.isRefund(i) && work.messages[i]!.transaction.customer);
  const { resolutions, created } = await resolveOrCreateCustomers(
    work.tx,
    withCustomer.map((i) => ({
      tenantId: work.messages[i]!.tenantId,
      ref: work.messages[i]!.transaction.customer!,
      create: true,
      createdVia: work.messages[i]!.transaction.channel,
    })),
  );
  work.createdCustomers.push(...created);
  withCustomer.forEach((i, k) => {
    const r = resolutions[k]!;
    if ("rejected" in r) work.reject(i, "unknown_customer", r.rejected);
    else work.customerOf.set(i, r.customerId);
  });
}

/** The customers of the sales that refunds refer to (sales in this batch, or stored ones), by sale id. */
export async function refundCustomers(work: BatchWork, todo: number[]): Promise<Map<string, string | null>> {
  const stored: string[] = [];
  for (const i of todo.filter(work.isRefund)) {
    const m = work.messages[i]!;
    const saleId = stableId("transaction", m.tenantId, m.transaction.refundOf!);
    work.saleIdOf.set(i, saleId);
    if (!work.saleEarlierInBatch(saleId, i)) stored.push(saleId);
  }
  return customersOfSales(work.tx, [...new Set(stored)]);
}

/**
 * Under the customers' locks: messages a previous delivery already applied, parked as a refund waiting for its sale,
 * or rejected (`decidedRejections`), change nothing; another body under the same externalId is a conflict; a sale
 * naming a checkout hold that is another sale's is rejected (`rejectSalesNamingTakenHolds`).
 */
export async function notYetApplied(work: BatchWork, todo: number[]): Promise<number[]> {
  const ids = todo.map((i) => work.messages[i]!.transactionId);
  const existing = new Map(
    (
      await work.tx.$queryRaw<
        { id: string; body_hash: string | null }[]
      >`SELECT id, body_hash FROM transactions WHERE id = ANY(${sqlArray(ids)}::text[])`
    ).map((r) => [r.id, r.body_hash]),
  );
  const waiting = await waitingUnder(
    work.tx,
    todo.map((i) => work.messages[i]!),
  );
  const refused = await decidedRejections(
    work,
    todo.filter((i) => !work.opts.sources?.[i]?.replayed),
  );
  const fresh = todo.filter((i) => {
    const m = work.messages[i]!;
    const stored = existing.get(m.transactionId);
    const parked = waiting.get(m.transactionId);
    const rejectedBefore = (refused.get(rejectionKey(m.tenantId, m.transaction.externalId)) ?? []).some((h) =>
      storedFingerprintMatches(h, m.transaction, work.hashes[i]!),
    );
    if (rejectedBefore) return false;
    if (stored === undefined && !parked) return true;
    // A stored row without a fingerprint predates them: it cannot be told from a retry.
    const repeat =
      stored === null ||
      (stored !== undefined && storedFingerprintMatches(stored, m.transaction, work.hashes[i]!)) ||
      parked?.bodyHash === work.hashes[i];
    if (repeat) return false;
    const ext = m.transaction.externalId;
    work.reject(
      i,
      "idempotency_conflict",
      stored !== undefined
        ? `externalId ${ext} was processed before with a different body; post the change under a new externalId`
        : `externalId ${ext} is taken by a refund posted before with a different body, which waits for its sale ${parked!.refundOf}; post the change under a new externalId`,
    );
    return false;
  });
  return rejectSalesNamingTakenHolds(work, fresh);
}

/** The ledger's give-ups: not decided on the transaction's merits, so a replay, or the message read again, tries it anew. */
const givenUp: RejectionCode[] = ["processing_failed", "contract_violation"];
const rejectionKey = (tenantId: string, externalId: string) => `${tenantId}\u0000${externalId}`;

/**
 * The bodies the ledger rejected under each message's externalId, by `rejectionKey`. A rejection is final, as the
 * gateway answers a retry of that body (a duplicate): a message read again (a partition's position moved back, a
 * stream read from its start) must not be decided anew, or a refund refused for want of its sale would be applied
 * once the sale had arrived. Give-ups (`givenUp`) are not decisions and do not count, and a message an operator
 * replayed from the dead-letter stream is asked about afresh: that is what the replay is for.
 */
async function decidedRejections(work: BatchWork, todo: number[]): Promise<Map<string, string[]>> {
  if (!todo.length) return new Map();
  const rows = await work.tx.$queryRaw<{ tenant_id: string; external_id: string; body_hash: string }[]>`
    SELECT tenant_id, external_id, body_hash FROM transaction_rejections
    WHERE (tenant_id, external_id) IN (
      SELECT * FROM unnest(${sqlArray(todo.map((i) => work.messages[i]!.tenantId))}::text[],
        ${sqlArray(todo.map((i) => work.messages[i]!.transaction.externalId))}::text[]))
      AND code <> ALL(${sqlArray(givenUp)}::text[])`;
  const bodies = new Map<string, string[]>();
  for (const r of rows) {
    const key = rejectionKey(r.tenant_id, r.external_id);
    bodies.set(key, [...(bodies.get(key) ?? []), r.body_hash]);
  }
  return bodies;
}

/**
 * Rejects the sales naming a checkout hold that another sale claimed or committed (`salesNamingTakenHolds`): the
 * hold cannot pay for them, and processed they would say nothing of it (the hold pays for the sale that has it).
 * The others, in order.
 */
async function rejectSalesNamingTakenHolds(work: BatchWork, fresh: number[]): Promise<number[]> {
  const naming = fresh.filter((i) => !work.isRefund(i) && work.messages[i]!.transaction.holdId);
  const reasons = await salesNamingTakenHolds(
    work.tx,
    naming.map((i) => {
      const m = work.messages[i]!;
      return {
        tenantId: m.tenantId,
        receivedAt: new Date(m.receivedAt),
        transactionId: m.transactionId,
        externalId: m.transaction.externalId,
        holdId: m.transaction.holdId!,
      };
    }),
  );
  const rejected = new Set<number>();
  naming.forEach((i, k) => {
    const reason = reasons[k];
    if (!reason) return;
    work.reject(i, "hold_used", reason);
    rejected.add(i);
  });
  return fresh.filter((i) => !rejected.has(i));
}
