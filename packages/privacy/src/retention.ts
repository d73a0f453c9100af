import { type FactsTarget, rowsOfCustomers } from "@regulars/analytics";
import { recordAudit } from "@regulars/audit";
import { type Db, type DbTx, withTransaction } from "@regulars/db";
import type { JobResult } from "@regulars/ledger-store";
import type { Logger } from "@regulars/logger";
import { deleteEventsBefore, eraseClickhouse } from "./clickhouse.ts";
import { deletePersonalRows, eraseCustomer, finishErasure, newPseudonym, redactKeptRows } from "./erase.ts";
import { personIds } from "./person.ts";
import { retentionCutoffs } from "./policy.ts";
import { defaultRetention, type RetentionSettings, type RetentionUpdate } from "./privacy.types.ts";

export async function getRetention(
  db: Db | DbTx,
  tenantId: string,
): Promise<RetentionSettings & { isDefault: boolean }> {
  const row = await db.retentionSetting.findUnique({ where: { tenantId } });
  if (!row) return { ...defaultRetention, isDefault: true };
  return {
    eventsMonths: row.eventsMonths,
    devMessagesDays: row.devMessagesDays,
    eraseInactiveMonths: row.eraseInactiveMonths,
    isDefault: false,
  };
}

/** Changes some settings (the others stay), audited with what they were and what they are now. */
export async function setRetention(
  db: Db,
  tenantId: string,
  update: RetentionUpdate,
  actor: string,
): Promise<RetentionSettings> {
  return withTransaction(db, async (tx) => {
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtextextended(${`retention:${tenantId}`}, 7))`;
    const { isDefault: _, ...before } = await getRetention(tx, tenantId);
    const after: RetentionSettings = { ...before, ...update };
    await tx.retentionSetting.upsert({
      where: { tenantId },
      create: { tenantId, ...after, updatedBy: actor },
      update: { ...after, updatedBy: actor, updatedAt: new Date() },
    });
    await recordAudit(tx, {
      tenantId,
      actor,
      action: "privacy.retention.set",
      target: null,
      details: { before, after },
    });
    return after;
  });
}

/** What the privacy jobs need: the scheduler's job context with ClickHouse (null where it is not reachable). */
export interface PrivacyJobContext {
  db: Db;
  log: Logger;
  tenantId: string;
  now: Date;
  analytics?: FactsTarget | null;
}

/** Inactive customers erased per pass: a long-dormant base is worked through over several passes. */
const INACTIVE_PER_PASS = 100;

/**
 * The tenant's retention settings applied as of `now`: development messages and behavioural events past
 * their time deleted, customers inactive for too long erased (cause `inactivity`). Each step deletes by a
 * cutoff, so a second pass at the same time finds nothing. Without ClickHouse the events wait for a pass
 * in a process that has it.
 */
export async function applyRetention(ctx: PrivacyJobContext): Promise<JobResult> {
  const cutoffs = retentionCutoffs(await getRetention(ctx.db, ctx.tenantId), ctx.now);
  let acted = 0;
  if (cutoffs.devMessagesBefore)
    acted += await ctx.db.$executeRaw`
      DELETE FROM dev_messages WHERE tenant_id = ${ctx.tenantId} AND created_at < ${cutoffs.devMessagesBefore}`;
  if (cutoffs.eventsBefore && ctx.analytics)
    acted += await deleteEventsBefore(ctx.analytics, ctx.tenantId, cutoffs.eventsBefore);
  const outbox = [];
  if (cutoffs.inactiveBefore) {
    const dormant = await ctx.db.$queryRaw<{ id: string }[]>`
      SELECT c.id FROM customers c
      LEFT JOIN customer_loyalty l ON l.customer_id = c.id
      LEFT JOIN customer_profiles p ON p.customer_id = c.id
      WHERE c.tenant_id = ${ctx.tenantId} AND c.erased_at IS NULL
        AND NOT EXISTS (SELECT 1 FROM customer_merges m WHERE m.merged_id = c.id)
        AND greatest(c.created_at, l.last_activity_at, p.updated_at) < ${cutoffs.inactiveBefore}
      ORDER BY c.id LIMIT ${INACTIVE_PER_PASS}`;
    for (const { id } of dormant) {
      const erased = await eraseCustomer(ctx, ctx.tenantId, id, {
        actor: "system:retention",
        cause: "inactivity",
        now: ctx.now,
      });
      outbox.push(...erased.outbox);
      acted++;
    }
  }
  return { acted, outbox };
}

const rowCount = (perTable: Record<string, number>) => Object.values(perTable).reduce((a, b) => a + b, 0);

/**
 * A fact can reach ClickHouse well after its event (a writer paused by an outage, the outbox relay, a
 * redelivery): erasures finished this recently are checked for facts of the customer that arrived since.
 */
const SWEEP_DAYS = 8;

/**
 * ClickHouse's part of erasures that could not finish when they were made (ClickHouse down or elsewhere),
 * then the sweep of recent ones for what consumers wrote from late events: ClickHouse facts re-keyed to a
 * fresh pseudonym (the first one is gone for good), behavioural rows deleted in ClickHouse and Postgres, staff-typed
 * text in kept rows redacted.
 */
export async function finishErasures(ctx: PrivacyJobContext): Promise<JobResult> {
  if (!ctx.analytics) return { acted: 0, outbox: [] };
  const pending = await ctx.db.$queryRaw<{ id: string }[]>`
    SELECT id FROM erasure_requests WHERE tenant_id = ${ctx.tenantId} AND clickhouse_done_at IS NULL
    ORDER BY requested_at LIMIT 50`;
  let acted = 0;
  const finishedNow = new Set<string>();
  for (const { id } of pending) {
    if (await finishErasure(ctx.db, ctx.analytics, id, ctx.now)) {
      acted++;
      finishedNow.add(id);
    } else
      ctx.log.warn({ tenantId: ctx.tenantId, requestId: id }, "erasure in ClickHouse failed; the next pass retries");
  }
  const recent = await ctx.db.$queryRaw<{ id: string; customer_id: string }[]>`
    SELECT id, customer_id FROM erasure_requests WHERE tenant_id = ${ctx.tenantId}
      AND clickhouse_done_at > ${new Date(ctx.now.getTime() - SWEEP_DAYS * 86_400_000)}`;
  // One finished a moment ago has nothing late yet (and ClickHouse may still be applying its deletes): the next
  // pass sweeps it.
  for (const { customer_id } of recent.filter((r) => !finishedNow.has(r.id))) {
    const ids = await personIds(ctx.db, ctx.tenantId, customer_id);
    // Behavioural rows written from late events, and text an admin typed about the customer since.
    const lateRows =
      rowCount(await deletePersonalRows(ctx.db, ctx.tenantId, ids)) +
      rowCount(await redactKeptRows(ctx.db, ctx.tenantId, ids));
    const lateFacts = await rowsOfCustomers(ctx.analytics, ctx.tenantId, ids);
    if (lateFacts > 0) await eraseClickhouse(ctx.analytics, ctx.tenantId, ids, newPseudonym());
    if (lateRows + lateFacts > 0) acted++;
  }
  return { acted, outbox: [] };
}
