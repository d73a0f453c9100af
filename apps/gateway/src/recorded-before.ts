import {
  type EventMessage,
  eventFingerprint,
  storedFingerprintMatches,
  type TransactionInput,
  TransactionMessage,
  transactionFingerprint,
} from "@regulars/contracts";
import { type Db, sqlArray } from "@regulars/db";
import { DomainError } from "@regulars/errors";
import { stableId } from "@regulars/ids";

/**
 * Whether a refused transaction was accepted before, by what Postgres recorded of it: `match` for the same body,
 * `other` for another, `unknown` for one accepted (its receipt is written) that the ledger has not read yet, so
 * its body cannot be compared; absent when nothing is recorded under its externalId.
 */
export type Recorded = "match" | "other" | "unknown";

/**
 * JetStream forgets a message id once its duplicate window (an hour by default) has passed, but the ledger keeps
 * what it stored: a till retrying a sale whose 202 was lost, after that window and after `occurredAt` has left
 * the acceptance window, must still hear duplicate (or conflict), not that its stored sale is invalid. Asked only
 * for transactions already refused and unknown to JetStream, so a sale that is admitted costs nothing here.
 */
export async function recordedTransactions(
  db: Db,
  tenantId: string,
  transactions: TransactionInput[],
): Promise<Map<string, Recorded>> {
  const externalIds = transactions.map((t) => t.externalId);
  const ids = externalIds.map((e) => stableId("transaction", tenantId, e));
  const [stored, parked, rejected, receipts] = await Promise.all([
    db.$queryRaw<{ external_id: string; body_hash: string | null }[]>`
      SELECT external_id, body_hash FROM transactions
      WHERE tenant_id = ${tenantId} AND external_id = ANY(${sqlArray(externalIds)}::text[])`,
    db.$queryRaw<{ transaction_id: string; body_hash: string | null; message: unknown }[]>`
      SELECT transaction_id, body_hash, message FROM parked_refunds
      WHERE tenant_id = ${tenantId} AND transaction_id = ANY(${sqlArray(ids)}::text[])`,
    db.$queryRaw<{ external_id: string; body_hash: string }[]>`
      SELECT external_id, body_hash FROM transaction_rejections
      WHERE tenant_id = ${tenantId} AND external_id = ANY(${sqlArray(externalIds)}::text[])`,
    db.$queryRaw<{ external_id: string }[]>`
      SELECT external_id FROM transaction_receipts
      WHERE tenant_id = ${tenantId} AND external_id = ANY(${sqlArray(externalIds)}::text[])`,
  ]);
  const found = new Map<string, Recorded>();
  transactions.forEach((t, i) => {
    const fingerprint = transactionFingerprint(t);
    const row = stored.find((r) => r.external_id === t.externalId);
    const waiting = parked.find((r) => r.transaction_id === ids[i]);
    const refusedBodies = rejected.filter((r) => r.external_id === t.externalId).map((r) => r.body_hash);
    // A stored row without a fingerprint predates them and is taken as matching, as the ledger takes it.
    if (row)
      found.set(
        t.externalId,
        !row.body_hash || storedFingerprintMatches(row.body_hash, t, fingerprint) ? "match" : "other",
      );
    else if (waiting) found.set(t.externalId, parkedFingerprint(waiting) === fingerprint ? "match" : "other");
    else if (refusedBodies.length)
      found.set(
        t.externalId,
        refusedBodies.some((h) => storedFingerprintMatches(h, t, fingerprint)) ? "match" : "other",
      );
    else if (receipts.some((r) => r.external_id === t.externalId)) found.set(t.externalId, "unknown");
  });
  return found;
}

function parkedFingerprint(row: { body_hash: string | null; message: unknown }): string | null {
  if (row.body_hash) return row.body_hash;
  const parsed = TransactionMessage.safeParse(row.message);
  return parsed.success ? transactionFingerprint(parsed.data.transaction) : null;
}

/** The answer to a transaction accepted before whose body cannot be compared yet: the till keeps it and retries. */
export const notComparableYet = (externalId: string) =>
  new DomainError(
    "unavailable",
    `externalId ${externalId} was accepted before and is not processed yet, so this one cannot be compared with it; retry later`,
  );

/** As `recordedTransactions`, for an event: what the ledger decided under its eventId (`applied_events`). */
export async function recordedEvent(db: Db, message: EventMessage): Promise<Exclude<Recorded, "unknown"> | null> {
  const rows = await db.$queryRaw<{ body_hash: string | null }[]>`
    SELECT body_hash FROM applied_events WHERE tenant_id = ${message.tenantId} AND event_id = ${message.id}`;
  const row = rows[0];
  if (!row) return null;
  // Null: decided before fingerprints were kept, taken as matching (as the ledger takes it).
  return !row.body_hash || row.body_hash === eventFingerprint(message.event) ? "match" : "other";
}
