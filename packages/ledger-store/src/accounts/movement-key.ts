import type { Db } from "@regulars/db";

/**
 * The idempotency key a movement was posted under (`bonus:<campaign step key>` for a campaign's bonus), or null when
 * the tenant has no such movement: how a reader outside the ledger learns what posted a movement it was told of.
 */
export async function movementIdempotencyKey(db: Db, tenantId: string, movementId: string): Promise<string | null> {
  const [row] = await db.$queryRaw<{ key: string }[]>`
    SELECT idempotency_key AS key FROM ledger_movements WHERE id = ${movementId} AND tenant_id = ${tenantId}`;
  return row?.key ?? null;
}
