import type { Db, DbTx } from "@regulars/db";
import { DomainError } from "@regulars/errors";

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

/** The classified tables that exist in this database (a table classified ahead of its migration is skipped). */
export async function existingTables(db: DbOrTx, names: string[]): Promise<Set<string>> {
  const rows = await db.$queryRaw<{ table_name: string }[]>`
    SELECT table_name FROM information_schema.tables
    WHERE table_schema = current_schema() AND table_name = ANY(${names}::text[])`;
  return new Set(rows.map((r) => r.table_name));
}
