import { Prisma } from "@regulars/db";

/**
 * The campaign step key a bonus movement was posted under (`bonus:<step key>`), as a scalar subquery a reader outside
 * the ledger can put in its own statement (NULL for no such bonus): the campaign trigger path finds the step behind a
 * bonus's `points.earned` in the one statement it reads the cause with.
 */
export function bonusStepKeySql(tenantId: string, movementId: string): Prisma.Sql {
  return Prisma.sql`(SELECT substr(idempotency_key, length('bonus:') + 1) FROM ledger_movements
    WHERE id = ${movementId} AND tenant_id = ${tenantId} AND starts_with(idempotency_key, 'bonus:'))`;
}
