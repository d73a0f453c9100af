import { type FactsTarget, rowsOfCustomers } from "@regulars/analytics";
import { recordAudit } from "@regulars/audit";
import { type Db, type DbTx, sqlArray, withTransaction } from "@regulars/db";
import { newPseudonym } from "@regulars/ids";
import type { JobResult } from "@regulars/ledger-store";
import type { Logger } from "@regulars/logger";
import { deleteEventsBefore, eraseClickhouse, scrubLinksBefore } from "./clickhouse.ts";
import { dormantCustomers } from "./dormant.ts";
import { deletePersonalRows, eraseCustomer, finishErasure, redactKeptRows } from "./erase.ts";
import { personIds } from "./person.ts";
import { retentionCutoffs } from "./policy.ts";
import { defaultRetention, type RetentionSettings, type RetentionUpdate, type RetentionView } from "./privacy.types.ts";

async function storedRetention(db: Db | DbTx, tenantId: string): Promise<RetentionSettings | null> {
  const row = await db.retentionSetting.findUnique({ where: { tenantId } });
  if (!row) return null;
  return {
    eventsMonths: row.eventsMonths,
    devMessagesDays: row.devMessagesDays,
    messagesDays: row.messagesDays,
    eraseInactiveMonths: row.eraseInactiveMonths,
  };
}

export async function getRetention(db: Db | DbTx, tenantId: string): Promise<RetentionView> {
  const stored = await storedRetention(db, tenantId);
  return { ...(stored ?? defaultRetention), isDefault: stored === null };
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
    const before = (await storedRetention(tx, tenantId)) ?? defaultRetention;
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

/** Messages cleared per statement: each commits on its own, so a big backlog never holds many rows' locks long. */
const MESSAGES_SLICE = 1000;

/**
 * Clears the address, text and provider's words of the tenant's messages that left the queue before `before`,
 * a slice at a time; how many. The row stays for the campaign's message list and the frequency caps. Walked in
 * id order from where the last slice stopped. `messages_retention_idx` (migration 0041) holds only rows that left
 * the queue and still have an address, by `send_at`: a pass reads the old ones, never the recent ones or what an
 * earlier pass cleared.
 */
export async function clearOldMessages(
  db: Db,
  tenantId: string,
  before: Date,
  slice = MESSAGES_SLICE,
): Promise<number> {
  let cleared = 0;
  let after = "";
  for (;;) {
    // The cursor is Postgres's own max(id): text order is the database's collation, not JavaScript's.
    const [step] = await db.$queryRaw<{ read: number; cleared: number; last: string | null }[]>`
      WITH old AS (
        SELECT id FROM messages
        WHERE tenant_id = ${tenantId} AND send_at < ${before} AND id > ${after} AND status <> 'queued'
          AND to_address <> '' AND greatest(created_at, send_at, sent_at, failed_at) < ${before}
        ORDER BY id LIMIT ${slice}),
      cleared AS (
        UPDATE messages m SET to_address = '', content = '{}'::jsonb, last_error = NULL
        FROM old WHERE m.id = old.id RETURNING m.id)
      SELECT (SELECT count(*) FROM old)::int AS read, (SELECT count(*) FROM cleared)::int AS cleared,
             (SELECT max(id) FROM old) AS last`;
    cleared += step?.cleared ?? 0;
    if (!step?.last || step.read < slice) return cleared;
    after = step.last;
  }
}

/**
 * The tenant's retention settings applied as of `now`: development messages and behavioural events past
 * their time deleted, old messages' addresses and texts cleared and their clicked links cut to the site, customers
 * inactive for too long erased (cause `inactivity`). Each step acts by a cutoff, so a second pass at the same time
 * finds nothing. Without ClickHouse the events and links wait for a pass in a process that has it.
 */
export async function applyRetention(ctx: PrivacyJobContext): Promise<JobResult> {
  const cutoffs = retentionCutoffs(await getRetention(ctx.db, ctx.tenantId), ctx.now);
  let acted = 0;
  if (cutoffs.devMessagesBefore)
    acted += await ctx.db.$executeRaw`
      DELETE FROM dev_messages WHERE tenant_id = ${ctx.tenantId} AND created_at < ${cutoffs.devMessagesBefore}`;
  if (cutoffs.messagesBefore) {
    acted += await clearOldMessages(ctx.db, ctx.tenantId, cutoffs.messagesBefore);
    // The clicked links ClickHouse keeps for campaign results hold what the rendered text held.
    if (ctx.analytics) acted += await scrubLinksBefore(ctx.analytics, ctx.tenantId, cutoffs.messagesBefore);
  }
  if (cutoffs.eventsBefore && ctx.analytics)
    acted += await deleteEventsBefore(ctx.analytics, ctx.tenantId, cutoffs.eventsBefore);
  const outbox = [];
  if (cutoffs.inactiveBefore) {
    const dormant = await dormantCustomers(ctx.db, ctx.tenantId, cutoffs.inactiveBefore, INACTIVE_PER_PASS);
    for (const id of dormant) {
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
const HOUR = 3_600_000;

/**
 * When the sweeps look again, after ClickHouse's part of an erasure was done: the first at the pass after the one
 * that finished it (`next_sweep_at` null), then at each step. Most late facts were in flight at the time (a consumer's
 * batch, the relay's next poll) and land within the hour, an outage's backlog within hours or a day, a stalled
 * writer's redelivery later still: looking every pass found the same nothing for 8 days, a ClickHouse count per
 * erasure per pass. The last step is SWEEP_DAYS. Migration 0077 put the erasures of before it on these steps.
 */
const SWEEP_STEPS_MS = [HOUR, 6 * HOUR, 24 * HOUR, 3 * 24 * HOUR, SWEEP_DAYS * 24 * HOUR];

/** Erasures swept per pass: after a dormant clean-up the due ones are worked through over several passes. */
const SWEEPS_PER_PASS = 50;

/** When an erasure whose ClickHouse part was done at `doneAt`, swept at `now`, is due again; null when never. */
const nextSweepAt = (doneAt: Date, now: Date): Date | null => {
  const step = SWEEP_STEPS_MS.find((ms) => doneAt.getTime() + ms > now.getTime());
  return step === undefined ? null : new Date(doneAt.getTime() + step);
};

/**
 * ClickHouse's part of erasures that could not finish when they were made (ClickHouse down or elsewhere),
 * then the sweep of recent ones that are due (`sweepDueErasures`).
 */
export async function finishErasures(ctx: PrivacyJobContext): Promise<JobResult> {
  if (!ctx.analytics) return { acted: 0, outbox: [] };
  const pending = await ctx.db.$queryRaw<{ id: string }[]>`
    SELECT id FROM erasure_requests WHERE tenant_id = ${ctx.tenantId} AND clickhouse_done_at IS NULL
    ORDER BY requested_at LIMIT 50`;
  let acted = 0;
  const finishedNow: string[] = [];
  for (const { id } of pending) {
    if (await finishErasure(ctx.db, ctx.analytics, id, ctx.now)) {
      acted++;
      finishedNow.push(id);
    } else
      ctx.log.warn({ tenantId: ctx.tenantId, requestId: id }, "erasure in ClickHouse failed; the next pass retries");
  }
  // Swept from the next pass on, as any just finished: one reopened by a later erasure held its earlier sweeps' time.
  if (finishedNow.length)
    await ctx.db.$executeRaw`
      UPDATE erasure_requests SET next_sweep_at = NULL WHERE id = ANY(${sqlArray(finishedNow)}::text[])`;
  acted += await sweepDueErasures(ctx, ctx.analytics, finishedNow);
  return { acted, outbox: [] };
}

/**
 * The sweep of finished erasures that are due (`SWEEP_STEPS_MS`), the longest waiting first, at most SWEEPS_PER_PASS:
 * for what consumers wrote from late events, ClickHouse facts re-keyed to a fresh pseudonym (the first one is gone for
 * good), behavioural rows deleted in ClickHouse and Postgres, staff-typed text in kept rows redacted; how many found
 * something. One finished a moment ago (`finishedNow`) has nothing late yet (and ClickHouse may still be applying its
 * deletes): the next pass sweeps it.
 */
async function sweepDueErasures(ctx: PrivacyJobContext, analytics: FactsTarget, finishedNow: string[]) {
  const due = await ctx.db.$queryRaw<{ id: string; customer_id: string; clickhouse_done_at: Date }[]>`
    SELECT id, customer_id, clickhouse_done_at FROM erasure_requests
    WHERE tenant_id = ${ctx.tenantId} AND clickhouse_done_at IS NOT NULL AND id <> ALL(${sqlArray(finishedNow)}::text[])
      AND (next_sweep_at <= ${ctx.now}
        OR (next_sweep_at IS NULL AND clickhouse_done_at > ${new Date(ctx.now.getTime() - SWEEP_DAYS * 24 * HOUR)}))
    ORDER BY coalesce(next_sweep_at, clickhouse_done_at), id LIMIT ${SWEEPS_PER_PASS}`;
  if (!due.length) return 0;
  const people: { ids: string[]; lateRows: number }[] = [];
  for (const { customer_id } of due) {
    const ids = await personIds(ctx.db, ctx.tenantId, customer_id);
    // Behavioural rows written from late events, and text an admin typed about the customer since.
    const lateRows =
      rowCount(await deletePersonalRows(ctx.db, ctx.tenantId, ids)) +
      // One transaction: a parked refund's fingerprint is kept from its message before the redaction rewrites it.
      rowCount(await withTransaction(ctx.db, (tx) => redactKeptRows(tx, ctx.tenantId, ids)));
    people.push({ ids, lateRows });
  }
  // Late facts are rare: one count over everyone swept, and only when it finds some, one per person.
  const everyone = people.flatMap((p) => p.ids);
  const anyLateFacts = (await rowsOfCustomers(analytics, ctx.tenantId, everyone)) > 0;
  let acted = 0;
  for (const { ids, lateRows } of people) {
    const lateFacts = anyLateFacts ? await rowsOfCustomers(analytics, ctx.tenantId, ids) : 0;
    // A pseudonym each: two people's facts under one would read as one customer's.
    if (lateFacts > 0) await eraseClickhouse(analytics, ctx.tenantId, ids, newPseudonym());
    if (lateRows + lateFacts > 0) acted++;
  }
  await ctx.db.$executeRaw`
    UPDATE erasure_requests e SET next_sweep_at = s.next
    FROM unnest(${sqlArray(due.map((r) => r.id))}::text[],
      ${sqlArray(due.map((r) => nextSweepAt(r.clickhouse_done_at, ctx.now)))}::timestamptz[]) AS s(id, next)
    WHERE e.id = s.id`;
  return acted;
}
