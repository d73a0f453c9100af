import { type Db, sqlArray } from "@regulars/db";
import { personIds } from "./person.ts";

/** An erasure whose messages on the NATS streams are still to delete, with every id of its person. */
export interface PendingStreamErasure {
  id: string;
  customerIds: string[];
}

/**
 * The tenant's erasures whose stream part is not done yet (`erasure_requests.streams_done_at`, migration 0079), the
 * oldest first, each with the ids of its person (merged-away ones included, `personIds`): the workers' scheduled job
 * deletes their messages, which Postgres cannot reach from here.
 */
export async function pendingStreamErasures(db: Db, tenantId: string, limit: number): Promise<PendingStreamErasure[]> {
  const pending = await db.$queryRaw<{ id: string; customer_id: string }[]>`
    SELECT id, customer_id FROM erasure_requests WHERE tenant_id = ${tenantId} AND streams_done_at IS NULL
    ORDER BY postgres_done_at, id LIMIT ${limit}`;
  const erasures: PendingStreamErasure[] = [];
  for (const request of pending)
    erasures.push({ id: request.id, customerIds: await personIds(db, tenantId, request.customer_id) });
  return erasures;
}

/** Marks the stream part of these erasures done: only once every scan of their messages reached its end. */
export async function markStreamsErased(db: Db, erasureIds: string[], now: Date): Promise<void> {
  await db.$executeRaw`
    UPDATE erasure_requests SET streams_done_at = ${now} WHERE id = ANY(${sqlArray(erasureIds)}::text[])`;
}
