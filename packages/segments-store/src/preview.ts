import type { AnalystSqlTarget } from "@regulars/analytics";
import type { Db } from "@regulars/db";
import { compileSegmentPreview } from "@regulars/segments";
import { evaluateSegment, type SegmentSource } from "./member-ids.ts";
import { tenantTimezone } from "./tenant.ts";

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
  /** Up to the sample size, lowest customer ids first. */
  sample: PreviewMember[];
}

type PreviewRow = { members: string; sample: [string, string, boolean, boolean, boolean, string][] };

/**
 * The live count and a sample of a segment that need not be saved: one ClickHouse statement for a definition
 * (count and sample in one pass). A raw query's ids are kept to the tenant's customers, as materialising does.
 */
export async function previewSegment(
  deps: { db: Db; analytics: AnalystSqlTarget },
  tenantId: string,
  source: SegmentSource,
  now: Date,
  sampleSize = 20,
): Promise<SegmentPreview> {
  const timezone = await tenantTimezone(deps.db, tenantId);
  if (source.kind === "sql") {
    const ids = await evaluateSegment(deps.analytics, source, { tenantId, timezone, now });
    const rows = await deps.db.$queryRaw<{ id: string; members: number }[]>`
      SELECT c.id, (count(*) OVER ())::int AS members FROM unnest(${ids}::text[]) AS r(id)
      JOIN customers c ON c.id = r.id AND c.tenant_id = ${tenantId}
      ORDER BY c.id LIMIT ${sampleSize}`;
    const sample = rows.map((r) => ({
      customerId: r.id,
      tier: null,
      hasEmail: null,
      hasPhone: null,
      hasDateOfBirth: null,
      joinedAt: null,
    }));
    return { members: rows[0]?.members ?? 0, sample };
  }
  const { sql, params } = compileSegmentPreview(
    source.definition,
    { tenantId, now, timezone, database: deps.analytics.database },
    sampleSize,
  );
  const result = await deps.analytics.client.query({ query: sql, query_params: params, format: "JSONEachRow" });
  const [row] = await result.json<PreviewRow>();
  return {
    members: Number(row?.members ?? 0),
    sample: (row?.sample ?? []).map(([customerId, tier, hasEmail, hasPhone, hasDateOfBirth, joinedAt]) => ({
      customerId,
      tier: tier || null,
      hasEmail,
      hasPhone,
      hasDateOfBirth,
      joinedAt: new Date(`${joinedAt.replace(" ", "T")}Z`).toISOString(),
    })),
  };
}
