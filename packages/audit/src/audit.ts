import type { Db, DbTx, Prisma } from "@regulars/db";
import { ulid } from "@regulars/ids";
import type { AuditEntry } from "./audit.types.ts";

export interface AuditRecord {
  tenantId: string;
  actor: string;
  action: string;
  target: string | null;
  /** JSON-serialisable: parsed documents and plain values. */
  details: Record<string, unknown>;
}

/** Written in the caller's transaction, so a change and its audit row commit (or vanish) together. */
export async function recordAudit(tx: Db | DbTx, record: AuditRecord): Promise<string> {
  // `aud_` is not an id kind of @regulars/ids; the body is the same time-sortable ULID.
  const id = `aud_${ulid()}`;
  await tx.auditLog.create({ data: { id, ...record, details: record.details as Prisma.InputJsonObject } });
  return id;
}

/** Newest first; the cursor is the last id of the previous page (ids sort by time). */
export async function listAudit(db: Db, tenantId: string, input: { cursor?: string | null; limit: number }) {
  const rows = await db.auditLog.findMany({
    where: { tenantId, ...(input.cursor ? { id: { lt: input.cursor } } : {}) },
    orderBy: { id: "desc" },
    take: input.limit + 1,
  });
  const page = rows.slice(0, input.limit);
  const items: AuditEntry[] = page.map((r) => ({
    id: r.id,
    actor: r.actor,
    action: r.action,
    target: r.target,
    details: r.details,
    createdAt: r.createdAt.toISOString(),
  }));
  return { items, nextCursor: rows.length > input.limit ? page[page.length - 1]!.id : null };
}
