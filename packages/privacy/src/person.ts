import { phoneSpellings } from "@regulars/contracts";
import type { Db, DbTx } from "@regulars/db";
import { DomainError } from "@regulars/errors";
import { survivorsOf } from "@regulars/ledger-store";

export type DbOrTx = Db | DbTx;

/**
 * The customer and every customer merged into it, directly or through others: one person, whose till
 * enrolments keep their own rows (and personal data) after a merge. Another tenant's customer is as
 * unknown as none: not found.
 */
export async function personIds(db: DbOrTx, tenantId: string, customerId: string): Promise<string[]> {
  const rows = await db.$queryRaw<{ id: string }[]>`
    WITH RECURSIVE person(id) AS (
      SELECT id FROM customers WHERE tenant_id = ${tenantId} AND id = ${customerId}
      UNION
      SELECT m.merged_id FROM customer_merges m JOIN person p ON m.into_id = p.id WHERE m.tenant_id = ${tenantId}
    )
    SELECT id FROM person ORDER BY id`;
  if (!rows.length) throw new DomainError("not_found", `no customer ${customerId}`);
  return rows.map((r) => r.id);
}

/**
 * The account a merged-away id was finally merged into, or null when the id was not merged away (or is not this
 * tenant's). The merged-away row is an empty husk: the person's data, and the ids of everyone they were, are with
 * the survivor.
 */
export async function survivorOf(db: DbOrTx, tenantId: string, customerId: string): Promise<string | null> {
  const found = (await survivorsOf(db, [customerId])).get(customerId);
  return found?.tenantId === tenantId && found.survivorId !== customerId ? found.survivorId : null;
}

/**
 * Erasing only a merged-away row would leave the person's data on the survivor, and an erasure is not redirected
 * silently either: the caller erases the survivor's id, which erases both. The words of privacy.erase.
 */
export const mergedAwayError = (survivorId: string): DomainError =>
  new DomainError("conflict", `this customer was merged into ${survivorId}; erase ${survivorId}, which erases both`, [
    { path: "customerId", message: `must be ${survivorId}, the account it was merged into` },
  ]);

/** More tries than merges into one account can commit while an erasure waits: past it something loops. */
const MAX_LOCK_TRIES = 8;

/**
 * Locks, for the rest of the transaction, the rows of the person the customer is (`personIds`, in id order as a
 * merge and the ledger worker lock them) and answers them. Why read the set again under the lock: a merge into the
 * customer that commits while this waits for the customer's row adds someone this did not lock, whose personal
 * data an erasure would then leave behind for good. Grown, the locks are given back (rolled back to a savepoint)
 * and the bigger set is locked afresh, so no row is held while waiting for another against the id order. A
 * merge into the customer needs its lock, so once the set is unchanged under the lock it stays so. The customer
 * merged away meanwhile (or before) is refused with `mergedAwayError`.
 */
export async function lockPerson(
  tx: DbTx,
  tenantId: string,
  customerId: string,
): Promise<{ id: string; erased_at: Date | null }[]> {
  for (let attempt = 0; attempt < MAX_LOCK_TRIES; attempt++) {
    const ids = await personIds(tx, tenantId, customerId);
    await tx.$executeRaw`SAVEPOINT person_lock`;
    const locked = await tx.$queryRaw<{ id: string; erased_at: Date | null }[]>`
      SELECT id, erased_at FROM customers WHERE tenant_id = ${tenantId} AND id = ANY(${ids}::text[])
      ORDER BY id FOR UPDATE`;
    // Statements of their own: they see what committed while the lock was awaited.
    const survivorId = await survivorOf(tx, tenantId, customerId);
    if (survivorId) throw mergedAwayError(survivorId);
    const now = await personIds(tx, tenantId, customerId);
    if (now.every((id) => ids.includes(id))) {
      await tx.$executeRaw`RELEASE SAVEPOINT person_lock`;
      return locked.filter((c) => now.includes(c.id));
    }
    await tx.$executeRaw`ROLLBACK TO SAVEPOINT person_lock`;
    await tx.$executeRaw`RELEASE SAVEPOINT person_lock`;
  }
  throw new DomainError("conflict", `customer ${customerId} is being merged again and again; try again`);
}

/** The classified tables that exist in this database (a table classified ahead of its migration is skipped). */
export async function existingTables(db: DbOrTx, names: string[]): Promise<Set<string>> {
  const rows = await db.$queryRaw<{ table_name: string }[]>`
    SELECT table_name FROM information_schema.tables
    WHERE table_schema = current_schema() AND table_name = ANY(${names}::text[])`;
  return new Set(rows.map((r) => r.table_name));
}

/**
 * The `$3` of a rule that says `phones` (tables.ts): every spelling of the person's phone identities (`phoneSpellings`)
 * to the identity it spells, as jsonb text. An identity wins its own value over another identity's spelling of it.
 */
export async function personPhones(db: DbOrTx, tenantId: string, ids: string[]): Promise<string> {
  const rows = await db.$queryRaw<{ value: string }[]>`
    SELECT value FROM customer_identities
    WHERE tenant_id = ${tenantId} AND customer_id = ANY(${ids}::text[]) AND kind = 'phone' ORDER BY value`;
  const spelled = new Map<string, string>();
  for (const { value } of rows) for (const spelling of phoneSpellings(value).all) spelled.set(spelling, value);
  for (const { value } of rows) spelled.set(value, value);
  return JSON.stringify(Object.fromEntries(spelled));
}

/** The parameters of a rule's statements: the tenant, the person's ids, and their phones' spellings if it reads them. */
export function ruleParams(rule: { phones?: true }, tenantId: string, ids: string[], phones: string): unknown[] {
  return rule.phones ? [tenantId, ids, phones] : [tenantId, ids];
}
