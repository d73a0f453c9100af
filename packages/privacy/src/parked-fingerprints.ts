import { TransactionMessage, transactionFingerprint } from "@regulars/contracts";
import { sqlArray } from "@regulars/db";
import { type DbOrTx, ruleParams } from "./person.ts";
import { postgresTables } from "./tables.ts";

/**
 * The fingerprint of each of the person's parked refunds as posted (`body_hash`), kept before the redaction of
 * `tables.ts` rewrites the message's customer: the ledger tells a till's retry of the refund from a conflict by it.
 * A row parked before the ledger kept it (migration 0064) has none, and its message is still the one posted until
 * then. Computed with the contracts' `transactionFingerprint` of the message as the contract reads it, as the ledger
 * does for such a row (`readParked` of @regulars/ledger-store): one fingerprint, never a copy of it in SQL. Only rows
 * the redaction is about to rewrite (a row already redacted no longer holds the body as posted); a message that no
 * longer reads as the contract gets none, as the ledger takes none of it. Run it in the redaction's transaction: the
 * rows stay locked until the redaction rewrites them. `phones`: the person's (`personPhones`). How many rows got one.
 */
export async function keepParkedFingerprints(
  db: DbOrTx,
  tenantId: string,
  ids: string[],
  phones: string,
): Promise<number> {
  const rule = postgresTables.parked_refunds;
  if (!rule?.redact) throw new Error("tables.ts: parked_refunds has no redaction");
  // The conditions are literals of tables.ts; the ids and phones travel as parameters.
  const rows = await db.$queryRawUnsafe<{ transaction_id: string; message: unknown }[]>(
    `SELECT t.transaction_id, t.message FROM parked_refunds t
    WHERE t.tenant_id = $1 AND t.body_hash IS NULL AND (${rule.where}) AND (${rule.redact.rows})
    ORDER BY t.transaction_id FOR UPDATE`,
    ...ruleParams(rule, tenantId, ids, phones),
  );
  const kept = rows.flatMap((row) => {
    const parsed = TransactionMessage.safeParse(row.message);
    return parsed.success ? [{ id: row.transaction_id, hash: transactionFingerprint(parsed.data.transaction) }] : [];
  });
  if (!kept.length) return 0;
  return db.$executeRaw`
    UPDATE parked_refunds t SET body_hash = f.hash
    FROM unnest(${sqlArray(kept.map((k) => k.id))}::text[], ${sqlArray(kept.map((k) => k.hash))}::text[]) AS f(id, hash)
    WHERE t.tenant_id = ${tenantId} AND t.transaction_id = f.id AND t.body_hash IS NULL`;
}
