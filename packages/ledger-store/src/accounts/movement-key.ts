import { type Db, Prisma } from "@regulars/db";

/**
 * The idempotency key a movement was posted under (`bonus:<campaign step key>` for a campaign's bonus), or null when
 * the tenant has no such movement: how a reader outside the ledger learns what posted a movement it was told of.
 */
export async function movementIdempotencyKey(db: Db, tenantId: string, movementId: string): Promise<string | null> {
  const [row] = await db.$queryRaw<{ key: string }[]>`
    SELECT idempotency_key AS key FROM ledger_movements WHERE id = ${movementId} AND tenant_id = ${tenantId}`;
  return row?.key ?? null;
}

/**
 * The campaign step key a bonus movement was posted under (`bonus:<step key>`), as a scalar subquery a reader outside
 * the ledger can put in its own statement (NULL for no such bonus): the campaign trigger path finds the step behind a
 * bonus's `points.earned` in the one statement it reads the cause with.
 */
export function bonusStepKeySql(tenantId: string, movementId: string): Prisma.Sql {
  return Prisma.sql`(SELECT substr(idempotency_key, length('bonus:') + 1) FROM ledger_movements
    WHERE id = ${movementId} AND tenant_id = ${tenantId} AND starts_with(idempotency_key, 'bonus:'))`;
}
