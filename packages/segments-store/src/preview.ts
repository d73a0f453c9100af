import { type AnalystSqlTarget, defaultAnalystSqlLimits } from "@regulars/analytics";
import type { Db } from "@regulars/db";
import { compileSegmentPreview } from "@regulars/segments";
import { countRawMembers, type SegmentSource } from "./member-ids.ts";
import { evaluationContext } from "./tenant.ts";

/** A member as a preview shows it: nothing personal, only what helps judge the segment. */
export interface PreviewMember {
  customerId: string;
  /** Null where the segment is raw SQL: only the ids are known then. */
  tier: string | null;
  hasEmail: boolean | null;
  hasPhone: boolean | null;
  hasDateOfBirth: boolean | null;
  joinedAt: string | null;
}

export interface SegmentPreview {
  members: number;
  /**
   * False where a raw query returned more ids than a preview checks against the tenant's customers
   * (`previewCheckedIds`): `members` is then how many distinct ids the query returned, which a refresh may cut
   * down (to the tenant's own customers, not erased). For a definition, false where more erased customers await
   * ClickHouse's part of their erasure than a preview leaves out (`previewLeftOutErased`): some are then counted.
   */
  exact: boolean;
  /** Up to the sample size, lowest customer ids first. */
  sample: PreviewMember[];
}

type PreviewRow = { members: string; sample: [string, string, boolean, boolean, boolean, string][] };

/**
 * How many of a raw query's ids a preview checks against the tenant's customers in Postgres: as many as an
 * analyst's query may return, loaded as one row.
 */
export const previewCheckedIds = defaultAnalystSqlLimits.maxResultRows;

/**
 * How many erased customers, their ClickHouse part unfinished, a definition's preview leaves out of its count. They
 * travel as one query parameter, which a ClickHouse server reads from the URL (1 MiB at most by default): 10,000
 * ids take about a third of it. More wait only while finish-erasures is behind, and the count then says inexact.
 */
export const previewLeftOutErased = 10_000;

/**
 * The live count and a sample of a segment that need not be saved. A definition: one ClickHouse statement
 * (count and sample in one pass). A raw query runs with an analyst's limits, counted and its lowest ids picked
 * in ClickHouse; those ids are kept to the tenant's customers, as materialising does. Neither shows a
 * customer erased in Postgres whose ClickHouse rows are still to go, and a definition does not count one either.
 */
export async function previewSegment(
  deps: { db: Db; analytics: AnalystSqlTarget },
  tenantId: string,
  source: SegmentSource,
  now: Date,
  sampleSize = 20,
): Promise<SegmentPreview> {
  if (source.kind === "sql") {
    const { returned, lowest } = await countRawMembers(deps.analytics, tenantId, source.sql, previewCheckedIds);
    const kept = await presentCustomers(deps.db, tenantId, lowest);
    const sample = kept.slice(0, sampleSize).map((customerId) => ({
      customerId,
      tier: null,
      hasEmail: null,
      hasPhone: null,
      hasDateOfBirth: null,
      joinedAt: null,
    }));
    const exact = returned <= lowest.length;
    return { members: exact ? kept.length : returned, exact, sample };
  }
  const ctx = await evaluationContext(deps.db, tenantId, now);
  const erased = await erasedStillInClickHouse(deps.db, tenantId, previewLeftOutErased + 1);
  const { sql, params } = compileSegmentPreview(
    source.definition,
    { ...ctx, database: deps.analytics.database },
    sampleSize,
    erased.slice(0, previewLeftOutErased),
  );
  const result = await deps.analytics.client.query({
    query: sql,
    query_params: params,
    format: "JSONEachRow",
  });
  const [row] = await result.json<PreviewRow>();
  const rows = row?.sample ?? [];
  const present = new Set(
    await presentCustomers(
      deps.db,
      tenantId,
      rows.map(([customerId]) => customerId),
    ),
  );
  return {
    members: Number(row?.members ?? 0),
    exact: erased.length <= previewLeftOutErased,
    sample: rows
      .filter(([customerId]) => present.has(customerId))
      .map(([customerId, tier, hasEmail, hasPhone, hasDateOfBirth, joinedAt]) => ({
        customerId,
        // An unplaced member shows the level they were counted at, as the tier conditions counted them.
        tier: tier || ctx.entryTier,
        hasEmail,
        hasPhone,
        hasDateOfBirth,
        joinedAt: new Date(`${joinedAt.replace(" ", "T")}Z`).toISOString(),
      })),
  };
}

/**
 * Those of `ids` that are the tenant's customers and not erased, in id order. ClickHouse's rows of an erased
 * customer go after Postgres's (the finish-erasures job), and their id must not show meanwhile.
 */
async function presentCustomers(db: Db, tenantId: string, ids: string[]): Promise<string[]> {
  if (!ids.length) return [];
  const rows = await db.$queryRaw<{ id: string }[]>`
    SELECT c.id FROM customers c
    WHERE c.tenant_id = ${tenantId} AND c.id = ANY(${ids}::text[]) AND c.erased_at IS NULL
    ORDER BY c.id COLLATE "C"`;
  return rows.map((r) => r.id);
}

/**
 * Up to `limit` of the tenant's erased customers whose rows ClickHouse may still hold: everyone of the person of an
 * erasure request whose ClickHouse part is unfinished, merged-away ids included (`personIds` of @regulars/privacy,
 * which that part erases). Once it is done their `customers` rows are gone (no snapshot is written of an erased
 * customer, and the sweep takes away what came late), so the list is as long as the backlog of finish-erasures, not
 * as everyone the tenant ever erased.
 */
async function erasedStillInClickHouse(db: Db, tenantId: string, limit: number): Promise<string[]> {
  const rows = await db.$queryRaw<{ id: string }[]>`
    WITH RECURSIVE person(id) AS (
      SELECT r.customer_id FROM erasure_requests r WHERE r.tenant_id = ${tenantId} AND r.clickhouse_done_at IS NULL
      UNION
      SELECT m.merged_id FROM customer_merges m JOIN person p ON m.into_id = p.id WHERE m.tenant_id = ${tenantId}
    )
    SELECT c.id FROM person p JOIN customers c ON c.id = p.id AND c.tenant_id = ${tenantId} AND c.erased_at IS NOT NULL
    LIMIT ${limit}`;
  return rows.map((r) => r.id);
}
