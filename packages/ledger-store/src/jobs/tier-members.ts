import { type DbTx, sqlArray } from "@regulars/db";
import { lockCustomers } from "../customers/loyalty-state.ts";

/** A member as the tier job judges them: the tier held, since when, whether a floor gave it, an admin's floor. */
export interface Member {
  customer_id: string;
  tier: string | null;
  tier_since: Date | null;
  tier_by_floor: boolean;
  tier_floor: string | null;
  tier_floor_until: Date | null;
}

/**
 * Locks the members as the ledger worker does, their customers first (`lockCustomers`), and only then reads their
 * tiers. The ledger saves the tier of every customer it applies, as it read it under that lock: a job that locked
 * only the loyalty row had its downgrade overwritten by a batch that read the tier before it, after the
 * downgrade's event had gone out. Locked in the ledger's order, the job waits for such a batch and judges what it
 * committed, or the batch waits and reads the job's change.
 */
export async function lockMembers(tx: DbTx, tenantId: string, ids: string[]): Promise<Member[]> {
  await lockCustomers(tx, ids);
  return tx.$queryRaw<Member[]>`
    SELECT customer_id, tier, tier_since, tier_by_floor, tier_floor, tier_floor_until FROM customer_loyalty
    WHERE tenant_id = ${tenantId} AND customer_id = ANY(${sqlArray(ids)}::text[]) ORDER BY customer_id FOR UPDATE`;
}
