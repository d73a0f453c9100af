import type { FactsTarget } from "@regulars/analytics";
import { recordAudit } from "@regulars/audit";
import type { Db } from "@regulars/db";
import { exportClickhouse } from "./clickhouse.ts";
import { type DbOrTx, existingTables, personIds, personPhones, ruleParams, survivorOf } from "./person.ts";
import { postgresTables } from "./tables.ts";

export interface CustomerExport {
  exportedAt: string;
  tenantId: string;
  /** The customer exported: the survivor's id when the id asked for was merged away. */
  customerId: string;
  /**
   * The id asked for when it was merged away into `customerId`, null otherwise: a merged-away row is an empty husk,
   * the person's data moved to the survivor, whose export includes the merged-away rows.
   */
  resolvedFrom: string | null;
  /** The customer and those merged into it: their rows are all in here. */
  customerIds: string[];
  /** Rows per table as stored (column names as in the database). */
  postgres: Record<string, unknown[]>;
  clickhouse: Record<string, unknown[]>;
  /** Tables that hold the customer's id but are left out of the export, and why. */
  notExported: Record<string, string>;
}

/** The rows of every exported Postgres table that belong to the customers. */
export async function exportPostgres(
  db: DbOrTx,
  tenantId: string,
  customerIds: string[],
): Promise<Record<string, unknown[]>> {
  const out: Record<string, unknown[]> = {};
  const present = await existingTables(db, Object.keys(postgresTables));
  const phones = await personPhones(db, tenantId, customerIds);
  for (const [table, rule] of Object.entries(postgresTables)) {
    if (!rule.export || !present.has(table)) continue;
    const { where, row: exportedRow } = rule.exported ?? { where: rule.where, row: "to_jsonb(t)" };
    // The table name, condition and row are literals of tables.ts; the ids and phones travel as parameters.
    const [row] = await db.$queryRawUnsafe<{ rows: unknown[] }[]>(
      `SELECT coalesce(jsonb_agg(${exportedRow}), '[]'::jsonb) AS rows FROM ${table} t ` +
        `WHERE t.tenant_id = $1 AND (${where})`,
      ...ruleParams(rule, tenantId, customerIds, phones),
    );
    out[table] = row?.rows ?? [];
  }
  return out;
}

/**
 * One JSON document of everything held about the customer (Postgres and ClickHouse), for a data access
 * request. The export itself is audited (who took a copy of whose data), with counts, never the data. By a
 * merged-away id, the survivor's (`resolvedFrom` says so).
 */
export async function exportCustomer(
  deps: { db: Db; analytics: FactsTarget },
  tenantId: string,
  askedId: string,
  origin: { actor: string; now: Date },
): Promise<CustomerExport> {
  const survivorId = await survivorOf(deps.db, tenantId, askedId);
  const customerId = survivorId ?? askedId;
  const resolvedFrom = survivorId ? askedId : null;
  const customerIds = await personIds(deps.db, tenantId, customerId);
  const postgres = await exportPostgres(deps.db, tenantId, customerIds);
  const clickhouse = await exportClickhouse(deps.analytics, tenantId, customerIds);
  const count = (tables: Record<string, unknown[]>) =>
    Object.fromEntries(Object.entries(tables).map(([t, rows]) => [t, rows.length]));
  await recordAudit(deps.db, {
    tenantId,
    actor: origin.actor,
    action: "privacy.export",
    target: customerId,
    details: {
      rows: { postgres: count(postgres), clickhouse: count(clickhouse) },
      ...(resolvedFrom ? { resolvedFrom } : {}),
    },
  });
  return {
    exportedAt: origin.now.toISOString(),
    tenantId,
    customerId,
    resolvedFrom,
    customerIds,
    postgres,
    clickhouse,
    notExported: Object.fromEntries(
      Object.entries(postgresTables)
        .filter(([, r]) => !r.export)
        .map(([t, r]) => [t, r.why]),
    ),
  };
}
