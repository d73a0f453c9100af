import type { FactsTarget } from "./loyalty-events.ts";

/** A sale its refunds voided, or one of those refunds (migrations/0008_voided_transactions.sql). */
export interface VoidedTransaction {
  tenantId: string;
  transactionId: string;
}

/** Records transactions as voided; writing one again changes nothing (the same key, and segments read a set). */
export async function insertVoidedTransactions(
  target: FactsTarget,
  voided: readonly VoidedTransaction[],
): Promise<void> {
  if (!voided.length) return;
  await target.client.insert({
    table: `${target.database}.voided_transactions`,
    values: voided.map((v) => ({ tenant_id: v.tenantId, transaction_id: v.transactionId })),
    format: "JSONEachRow",
  });
}
