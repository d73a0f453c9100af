import {
  storedFingerprintMatches,
  type TransactionInput,
  TransactionMessage,
  transactionFingerprint,
} from "@regulars/contracts";
import { type Db, Prisma, prismaReader, type SqlReader, sqlArray } from "@regulars/db";
import { DomainError } from "@regulars/errors";
import { stableId } from "@regulars/ids";
import type { LookupAsk } from "./recorded-lookups.ts";

/**
 * Whether a transaction was accepted before, by what Postgres recorded of it: `match` for the same body,
 * `other` for another, `unknown` for one accepted (its receipt is written) that the ledger has not read yet, so
 * its body cannot be compared; undefined when nothing is recorded under its externalId.
 */
export type Recorded = "match" | "other" | "unknown";

/** The transactions of one request to look up, under the tenant that posted them. */
export type RecordedAsk = LookupAsk<TransactionInput>;

/**
 * JetStream forgets a message id once its duplicate window (an hour by default) has passed, but the ledger keeps
 * what it stored: a till retrying a sale whose 202 was lost, or posting a changed sale under a used externalId, after
 * that window must still hear duplicate (or conflict), never `accepted` for a second copy. As `recordedAll`, for the
 * transactions of one tenant; through Prisma (tests and a gateway without a reader).
 */
export async function recordedTransactions(
  db: Db,
  tenantId: string,
  transactions: TransactionInput[],
): Promise<(Recorded | undefined)[]> {
  const [found] = await recordedAll(prismaReader(db), [{ tenantId, items: transactions }]);
  return found!;
}

type RecordedRow = {
  source: "stored" | "parked" | "rejected" | "receipt";
  tenant_id: string;
  external_id: string;
  body_hash: string | null;
  message: unknown;
};

/**
 * For each ask, what Postgres recorded of each of its transactions, in their order: one statement for all of them,
 * whatever their tenants (`RecordedLookups` gathers the asks of concurrent requests). The statement's text never
 * changes, so the pool reader prepares and plans it once per connection, for any values and for as long as the
 * connection lives, often from when the tables were empty: its shape must make every plan probe each table by its
 * key, whatever the statistics said then. So each asked transaction probes the four tables in a LATERAL subquery,
 * which a plan cannot turn into a hash join over a whole table (a plan made while `transaction_receipts` was empty
 * hashed all of it on every execution as it grew: Postgres spent 0.05–0.13 ms of CPU per single POST, against 0.03
 * now, `bench:ingest`). `transactions` is probed by its primary key, the id every transaction is stored under
 * (`stableId` of the tenant and externalId, as the ledger reads it too): probed by tenant and externalId, an empty
 * table's plan took the index by tenant and customer, and so would read all of a tenant's transactions per probe.
 */
export async function recordedAll(
  reader: SqlReader,
  asks: readonly RecordedAsk[],
): Promise<(Recorded | undefined)[][]> {
  const tenants: string[] = [];
  const externalIds: string[] = [];
  const ids: string[] = [];
  for (const { tenantId, items } of asks)
    for (const t of items) {
      tenants.push(tenantId);
      externalIds.push(t.externalId);
      ids.push(stableId("transaction", tenantId, t.externalId));
    }
  if (!tenants.length) return asks.map(() => []);
  // A parked refund's message is read only when it has no fingerprint (parked before they were kept).
  const rows = await reader.rows<RecordedRow>(Prisma.sql`
    WITH asked AS (
      SELECT DISTINCT * FROM unnest(${sqlArray(tenants)}::text[], ${sqlArray(externalIds)}::text[],
        ${sqlArray(ids)}::text[]) AS a(tenant_id, external_id, transaction_id)
    )
    SELECT f.source, a.tenant_id, a.external_id, f.body_hash, f.message
    FROM asked a CROSS JOIN LATERAL (
      SELECT 'stored' AS source, t.body_hash, NULL::jsonb AS message FROM transactions t
        WHERE t.id = a.transaction_id AND (t.tenant_id, t.external_id) IS NOT DISTINCT FROM (a.tenant_id, a.external_id)
      UNION ALL
      SELECT 'parked', p.body_hash, CASE WHEN p.body_hash IS NULL THEN p.message END
        FROM parked_refunds p WHERE p.tenant_id = a.tenant_id AND p.transaction_id = a.transaction_id
      UNION ALL
      SELECT 'rejected', r.body_hash, NULL
        FROM transaction_rejections r WHERE r.tenant_id = a.tenant_id AND r.external_id = a.external_id
      UNION ALL
      SELECT 'receipt', NULL, NULL
        FROM transaction_receipts c WHERE c.tenant_id = a.tenant_id AND c.external_id = a.external_id
    ) f`);
  const byKey = new Map<string, RecordedRow[]>();
  for (const row of rows) {
    const key = keyOf(row.tenant_id, row.external_id);
    const same = byKey.get(key);
    if (same) same.push(row);
    else byKey.set(key, [row]);
  }
  // Each transaction is judged on its own body: one request may post an externalId twice (a changed body, then the
  // same), and each must hear its own answer.
  return asks.map(({ tenantId, items }) =>
    items.map((t) => {
      // Most posts are new: nothing recorded, and no fingerprint to compute.
      const rows = byKey.get(keyOf(tenantId, t.externalId));
      return rows ? recordedOf(t, rows) : undefined;
    }),
  );
}

const keyOf = (tenantId: string, externalId: string) => `${tenantId}\u0000${externalId}`;

/**
 * What the rows recorded under one externalId say of this body: the ledger's row first, then a parked refund, then
 * the bodies the ledger rejected; a receipt alone says it was accepted and not read yet.
 */
function recordedOf(t: TransactionInput, rows: RecordedRow[]): Recorded {
  if (rows.every((r) => r.source === "receipt")) return "unknown";
  const fingerprint = transactionFingerprint(t);
  const row = rows.find((r) => r.source === "stored");
  // A stored row without a fingerprint predates them and is taken as matching, as the ledger takes it.
  if (row) return !row.body_hash || storedFingerprintMatches(row.body_hash, t, fingerprint) ? "match" : "other";
  const waiting = rows.find((r) => r.source === "parked");
  if (waiting) return parkedFingerprint(waiting) === fingerprint ? "match" : "other";
  const refusedBodies = rows.flatMap((r) => (r.source === "rejected" && r.body_hash ? [r.body_hash] : []));
  return refusedBodies.some((h) => storedFingerprintMatches(h, t, fingerprint)) ? "match" : "other";
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
