import type { FactsTarget } from "@regulars/analytics";
import type { Db } from "@regulars/db";
import { pseudonymiseErasedCustomers } from "@regulars/ledger-store";

/** A fact as the writers get it, of a customer unless anonymous (or not about one). */
export interface WrittenFact {
  id: string;
  type: string;
  tenantId: string;
  customerId?: string | null;
}

/**
 * The facts of erased customers as the outbox announces them after an erasure (`pseudonymiseErasedCustomers`, one
 * home for what is kept): sales, refunds and points under a fresh pseudonym, everything else dropped. A fact
 * published before the erasure may be read long after its sweep ended (the domain stream keeps unread events 30 days,
 * a dead letter is replayed as late): written under the real id, it would stay in ClickHouse for good.
 *
 * A sale or refund already in ClickHouse (a redelivery of one the sweep re-keyed) is dropped rather than re-keyed:
 * under another pseudonym it would be a second copy, its sorting key holding customer_id.
 */
export async function withoutErasedCustomers<T extends WrittenFact>(
  db: Db,
  target: FactsTarget,
  facts: T[],
): Promise<T[]> {
  const kept = await pseudonymiseErased(db, facts);
  if (kept === facts) return facts;
  const unchanged = new Set<unknown>(facts);
  const rekeyed = kept.filter((f) => !unchanged.has(f) && f.type === "transaction.processed");
  const stored = await storedTransactions(target, rekeyed as unknown as { tenantId: string; transactionId: string }[]);
  return kept.filter((f) => {
    const id = (f as { transactionId?: string }).transactionId;
    return !(f.type === "transaction.processed" && stored.has(`${f.tenantId}\u0000${id}`));
  });
}

/**
 * `pseudonymiseErasedCustomers` over domain events as the consumers read them (the outbox item's payload is the
 * event); the same array when no fact names an erased customer.
 */
export async function pseudonymiseErased<T extends WrittenFact>(db: Db, facts: T[]): Promise<T[]> {
  const items = facts.map((f) => ({ id: f.id, tenantId: f.tenantId, type: f.type, payload: f }));
  const kept = await pseudonymiseErasedCustomers(db, items);
  return kept === items ? facts : kept.map((item) => item.payload as T);
}

/** Which of these transactions ClickHouse holds already, under any customer. */
async function storedTransactions(
  target: FactsTarget,
  facts: { tenantId: string; transactionId: string }[],
): Promise<Set<string>> {
  const found = new Set<string>();
  for (const tenantId of new Set(facts.map((f) => f.tenantId))) {
    const result = await target.client.query({
      query: `SELECT DISTINCT id FROM ${target.database}.transactions WHERE tenant_id = {tenant:String} AND id IN {ids:Array(String)}`,
      query_params: { tenant: tenantId, ids: facts.filter((f) => f.tenantId === tenantId).map((f) => f.transactionId) },
      format: "JSONEachRow",
    });
    for (const r of await result.json<{ id: string }>()) found.add(`${tenantId}\u0000${r.id}`);
  }
  return found;
}
