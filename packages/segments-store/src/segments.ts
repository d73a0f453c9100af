import { recordAudit } from "@regulars/audit";
import { SegmentDefinition } from "@regulars/contracts";
import { type Db, Prisma, type SegmentModel as SegmentRow, withTransaction } from "@regulars/db";
import { DomainError } from "@regulars/errors";
import { newId } from "@regulars/ids";
import type { SegmentSource } from "./member-ids.ts";

export interface Segment {
  id: string;
  name: string;
  kind: "definition" | "sql";
  definition: SegmentDefinition | null;
  sql: string | null;
  version: number;
  /**
   * The version the stored members were materialised from; null until the first refresh. Members of an older version
   * than `version` are stale (a paused segment's edit, or a refresh that failed): they pay no earning rule.
   */
  refreshedVersion: number | null;
  status: "active" | "paused";
  refreshIntervalMinutes: number;
  refreshes: number;
  refreshedAt: string | null;
  memberCount: number;
  lastError: string | null;
  createdBy: string;
  createdAt: string;
  updatedAt: string;
}

export function toSegment(row: SegmentRow): Segment {
  return {
    id: row.id,
    name: row.name,
    kind: row.kind as Segment["kind"],
    definition: row.definition === null ? null : SegmentDefinition.parse(row.definition),
    sql: row.rawSql,
    version: row.version,
    refreshedVersion: row.refreshedVersion,
    status: row.status as Segment["status"],
    refreshIntervalMinutes: row.refreshIntervalMinutes,
    refreshes: row.refreshes,
    refreshedAt: row.refreshedAt?.toISOString() ?? null,
    memberCount: row.memberCount,
    lastError: row.lastError,
    createdBy: row.createdBy,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

export const sourceOf = (segment: Segment): SegmentSource =>
  segment.kind === "sql" ? { kind: "sql", sql: segment.sql! } : { kind: "definition", definition: segment.definition! };

export interface SegmentInput {
  name: string;
  source: SegmentSource;
  refreshIntervalMinutes?: number;
  status?: Segment["status"];
}

const nameTaken = (name: string) =>
  new DomainError("conflict", `a segment named ${JSON.stringify(name)} exists already`, [
    { path: "name", message: "is taken by another segment" },
  ]);

const isUniqueViolation = (e: unknown) => (e as { code?: string })?.code === "P2002";

const auditDetails = (input: Partial<SegmentInput>) => ({
  ...(input.name !== undefined ? { name: input.name } : {}),
  ...(input.source ? { source: input.source } : {}),
  ...(input.refreshIntervalMinutes !== undefined ? { refreshIntervalMinutes: input.refreshIntervalMinutes } : {}),
  ...(input.status !== undefined ? { status: input.status } : {}),
});

/** Saves a new segment (not yet materialised: the caller refreshes it), audited under `actor`. */
export async function createSegment(db: Db, tenantId: string, input: SegmentInput, actor: string): Promise<Segment> {
  try {
    return await withTransaction(db, async (tx) => {
      const row = await tx.segment.create({
        data: {
          id: newId("segment"),
          tenantId,
          name: input.name,
          kind: input.source.kind,
          definition: input.source.kind === "definition" ? input.source.definition : undefined,
          rawSql: input.source.kind === "sql" ? input.source.sql : null,
          refreshIntervalMinutes: input.refreshIntervalMinutes,
          status: input.status,
          createdBy: actor,
        },
      });
      await recordAudit(tx, {
        tenantId,
        actor,
        action: "segments.create",
        target: row.id,
        details: auditDetails(input),
      });
      return toSegment(row);
    });
  } catch (e) {
    if (isUniqueViolation(e)) throw nameTaken(input.name);
    throw e;
  }
}

/**
 * Changes a segment, audited under `actor`; a new definition or SQL counts as a new version, due for a refresh
 * (`dueSegments`) until its members are materialised from it.
 */
export async function updateSegment(
  db: Db,
  tenantId: string,
  id: string,
  input: Partial<SegmentInput>,
  actor: string,
): Promise<Segment> {
  await getSegment(db, tenantId, id);
  const source = input.source;
  try {
    return await withTransaction(db, async (tx) => {
      const row = await tx.segment.update({
        where: { id, tenantId },
        data: {
          name: input.name,
          refreshIntervalMinutes: input.refreshIntervalMinutes,
          status: input.status,
          ...(source
            ? {
                kind: source.kind,
                definition: source.kind === "definition" ? source.definition : Prisma.DbNull,
                rawSql: source.kind === "sql" ? source.sql : null,
                version: { increment: 1 },
                // A new definition has not failed yet: its refresh is due at once, backing off afresh if it fails.
                failedRefreshes: 0,
                retryAt: null,
              }
            : {}),
          updatedAt: new Date(),
        },
      });
      await recordAudit(tx, { tenantId, actor, action: "segments.update", target: id, details: auditDetails(input) });
      return toSegment(row);
    });
  } catch (e) {
    if (isUniqueViolation(e) && input.name) throw nameTaken(input.name);
    throw e;
  }
}

export async function getSegment(db: Db, tenantId: string, id: string): Promise<Segment> {
  const row = await db.segment.findFirst({ where: { id, tenantId } });
  if (!row) throw new DomainError("not_found", `no segment ${id}`, [{ path: "id", message: "no such segment" }]);
  return toSegment(row);
}

export async function listSegments(db: Db, tenantId: string): Promise<Segment[]> {
  const rows = await db.segment.findMany({ where: { tenantId }, orderBy: { name: "asc" } });
  return rows.map(toSegment);
}

/**
 * A page of members in customer id order, a stable key to page by (entry times tie: a refresh enters many at once);
 * `after` is the last customer id of the previous page.
 */
export async function listMembers(
  db: Db,
  tenantId: string,
  segmentId: string,
  page: { limit: number; after?: string },
): Promise<{ members: { customerId: string; enteredAt: string }[]; next: string | null }> {
  await getSegment(db, tenantId, segmentId);
  const rows = await db.segmentMember.findMany({
    where: { tenantId, segmentId, ...(page.after ? { customerId: { gt: page.after } } : {}) },
    orderBy: { customerId: "asc" },
    take: page.limit + 1,
  });
  const members = rows
    .slice(0, page.limit)
    .map((r) => ({ customerId: r.customerId, enteredAt: r.enteredAt.toISOString() }));
  return { members, next: rows.length > page.limit ? members.at(-1)!.customerId : null };
}
