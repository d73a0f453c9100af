import type { RawTx } from "@regulars/db";
import { DomainError } from "@regulars/errors";
import { survivorsOf } from "./resolve.ts";

/** The customer a write holds locked: the account the asked id stands for now. */
export interface LockedCustomer {
  id: string;
  erased: boolean;
}

/** More hops than any chain of merges racing one write: past it something loops, and the write gives up. */
const MAX_HOPS = 8;

/**
 * Locks, for the rest of the caller's transaction, the row of the customer an id stands for now, and answers it:
 * the account that finally absorbed the id when it was merged away (`survivorsOf`), else the id itself; null when
 * the tenant has no such customer. Every write addressed by a customer id takes its customer's lock here.
 *
 * Why under the lock: a merge locks both customers' rows (`FOR UPDATE`, in id order) before it moves anything, and
 * records `customer_merges` in the same transaction. A write that looked "not merged" up before such a merge
 * committed and wrote after it would land on the emptied row: points nobody can see or spend, a consent that no
 * longer applies. So the merge is looked up again once the row is locked (a statement of its own: it sees what
 * committed while it waited); merged meanwhile, the write follows to the survivor, as reads do.
 *
 * One customer lock at a time: the merged-away row's lock is taken after a savepoint and given back by rolling
 * back to it before the survivor's is taken, so this never holds one row while waiting for another against the
 * merge's id order (no deadlock with a merge or a ledger batch). What the caller locked before stays locked.
 */
export async function lockSurvivor(tx: RawTx, tenantId: string, customerId: string): Promise<LockedCustomer | null> {
  let asked = customerId;
  for (let hop = 0; hop < MAX_HOPS; hop++) {
    const found = (await survivorsOf(tx, [asked])).get(asked);
    if (found?.tenantId !== tenantId) return null;
    await tx.$executeRaw`SAVEPOINT survivor_lock`;
    const [row] = await tx.$queryRaw<{ erased: boolean }[]>`
      SELECT erased_at IS NOT NULL AS erased FROM customers
      WHERE tenant_id = ${tenantId} AND id = ${found.survivorId} FOR UPDATE`;
    const [merged] = await tx.$queryRaw<{ into_id: string }[]>`
      SELECT into_id FROM customer_merges WHERE tenant_id = ${tenantId} AND merged_id = ${found.survivorId}`;
    if (row && !merged) {
      await tx.$executeRaw`RELEASE SAVEPOINT survivor_lock`;
      return { id: found.survivorId, erased: row.erased };
    }
    await tx.$executeRaw`ROLLBACK TO SAVEPOINT survivor_lock`;
    await tx.$executeRaw`RELEASE SAVEPOINT survivor_lock`;
    if (!row) return null;
    asked = found.survivorId;
  }
  throw new DomainError("conflict", `customer ${customerId} is being merged again and again; try again`);
}
