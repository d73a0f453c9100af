import type { TransactionProcessed } from "@regulars/contracts";
import { type DbTx, Prisma } from "@regulars/db";
import { refundedSalesVerdicts } from "@regulars/ledger-store";
import type { DbOrTx } from "../shared.ts";

/** The sale a processed transaction belongs to: its own external id, or the one a refund names. */
export interface SaleKey {
  tenantId: string;
  externalId: string;
}

export function saleKeysOf(events: readonly TransactionProcessed[]): SaleKey[] {
  const keys = new Map<string, SaleKey>();
  for (const e of events) {
    const externalId = e.kind === "sale" ? e.externalId : e.refundOf;
    if (externalId) keys.set(JSON.stringify([e.tenantId, externalId]), { tenantId: e.tenantId, externalId });
  }
  return [...keys.values()];
}

/**
 * Serialises the profile writers that judge the same sales, taken before their facts are written. A sale and its
 * refund may be recorded by two writers at once (two workers share the durable); unlocked, the refund's writer could
 * judge the sale void before the sale's fact was committed, and the sale's writer judge it from a read that began
 * before the refund: both would miss. Locked, the later one reads the other's fact and every refund the ledger has
 * committed by then. Taken in one sorted statement, so two batches never wait for each other in opposite orders.
 */
export async function lockSales(tx: DbTx, sales: readonly SaleKey[]): Promise<void> {
  const keys = [...new Set(sales.map((s) => JSON.stringify([s.tenantId, s.externalId])))].sort();
  if (keys.length)
    await tx.$queryRaw`
      SELECT count(pg_advisory_xact_lock(hashtextextended(k, 11)))
      FROM (SELECT unnest(${keys}::text[]) AS k ORDER BY 1) AS ks`;
}

/**
 * `facts`: the transaction ids of each of these sales that has a refund and of all its refunds, each with whether
 * the refunds voided the sale. Judged by the rule's one home, the order-count tier basis's (`refundedSalesVerdicts`,
 * @regulars/ledger-store), from the ledger's `transactions`. A sale without a refund is never void and its facts
 * never marked (the ledger deletes no refund): it costs one probe of the refunds' index, so a batch of plain sales,
 * nearly every batch, judges nothing.
 */
const judgedFacts = (sales: readonly SaleKey[]) => Prisma.sql`
  WITH facts AS (
    SELECT v.tenant_id, unnest(v.transaction_ids) AS transaction_id, v.voided FROM (${refundedSalesVerdicts(sales)}) v
  )`;

/**
 * Marks the facts of these sales and of all their refunds voided when the ledger's refunds voided the sale, and
 * clears the mark of a refunded sale they did not void; returns how many facts changed (none for a sale without a
 * refund, which is not read). Judged from the ledger's transactions as committed,
 * whichever of a sale and its refunds was recorded first: the last one recorded sees them all, since the ledger
 * commits a refund before publishing it and applies a refund parked for its sale only after the sale. Recording the
 * same facts again changes nothing.
 */
export function markVoidedSales(tx: DbTx, sales: readonly SaleKey[]): Promise<number> {
  if (!sales.length) return Promise.resolve(0);
  return tx.$executeRaw`
    ${judgedFacts(sales)}
    UPDATE profile_orders o SET voided = f.voided
    FROM facts f
    WHERE o.tenant_id = f.tenant_id AND o.transaction_id = f.transaction_id AND o.voided <> f.voided`;
}

/**
 * The recorded facts of these sales (theirs and their refunds') that are voided: what segments must leave out too.
 * Read after the facts' commit, so a redelivered event finds them again, which a crash before ClickHouse heard needs.
 */
export async function voidedFactsOf(
  db: DbOrTx,
  sales: readonly SaleKey[],
): Promise<{ tenantId: string; transactionId: string }[]> {
  if (!sales.length) return [];
  const rows = await db.$queryRaw<{ tenant_id: string; transaction_id: string }[]>`
    ${judgedFacts(sales)}
    SELECT o.tenant_id, o.transaction_id FROM facts f
    JOIN profile_orders o ON o.tenant_id = f.tenant_id AND o.transaction_id = f.transaction_id
    WHERE o.voided
    ORDER BY o.tenant_id, o.transaction_id`;
  return rows.map((r) => ({ tenantId: r.tenant_id, transactionId: r.transaction_id }));
}
