import type { CampaignAudience, FrequencyCap } from "@regulars/contracts";
import { type Db, withTransaction } from "@regulars/db";
import type { OutboxItem } from "@regulars/ledger-store";
import type { OnUnreadableCampaign, RunnableCampaign } from "./active-campaigns.ts";
import { enrolOccurrences, type OccurrenceEntry } from "./enrol.ts";
import type { QueueCampaignMessages } from "./run-message-steps.ts";

// What every schedule's pass shares: its context, and planning an audience in chunks of customers.

export interface ScheduleContext {
  db: Db;
  tenantId: string;
  /** The tenant's zone: broadcast times, birthdays and delivery are read on its clock. */
  zone: string;
  now: Date;
  /** Customers planned per transaction. */
  chunkSize?: number;
  /** The tenant's own caps, which hold for every campaign beside the campaign's. */
  tenantCaps?: readonly FrequencyCap[] | undefined;
  /** Called after each chunk commits with its events; without it they are returned at the end. */
  onCommitted?: (outbox: OutboxItem[]) => Promise<void>;
  /** Queues each chunk's messages due now in the chunk's transaction; without it the step executor queues them. */
  queueDueMessages?: QueueCampaignMessages;
  /** Told of each campaign left out because its stored definition does not parse. */
  onUnreadable?: OnUnreadableCampaign;
}

export interface ScheduleResult {
  acted: number;
  outbox: OutboxItem[];
}

/** Customers planned per transaction unless the context says otherwise. */
export const CHUNK = 4_000;

/** Chunks planned at once: Node plans one while Postgres writes the others (chunks hold different customers). */
const IN_FLIGHT = 3;
/** Committed chunks whose events may be on their way to NATS at once. */
const PUBLISHING = 4;

/** Plans entries in chunks, one transaction each, so a 100,000-member run never holds one giant transaction. */
export async function enrolInChunks(
  ctx: ScheduleContext,
  campaign: RunnableCampaign,
  entries: AsyncIterable<OccurrenceEntry[]> | Iterable<OccurrenceEntry[]>,
  out: ScheduleResult,
  audienceKnown: boolean,
): Promise<void> {
  const enrol = async (chunk: OccurrenceEntry[]) => {
    const done = await withTransaction(ctx.db, (tx) =>
      enrolOccurrences(tx, {
        campaign,
        zones: { tenant: ctx.zone },
        entries: chunk,
        now: ctx.now,
        lockCustomers: false,
        audienceKnown,
        tenantCaps: ctx.tenantCaps,
        queueDueMessages: ctx.queueDueMessages,
        batchEvents: true,
      }),
    );
    // Planned and recorded, whether or not any step runs: the job's work, not the campaign's reach.
    out.acted += done.entered + done.control + done.skipped;
    if (ctx.onCommitted) track(publishing, ctx.onCommitted(done.outbox));
    else out.outbox.push(...done.outbox);
  };
  // A chunk's slot is free once it commits: its events are published beside the next chunks' planning, not before
  // it (publishing waits on JetStream's acks, and a broadcast's consumers keep NATS busy). Bounded, so a stalled
  // NATS holds back planning rather than piling events up in memory; a crash before they go leaves them to the relay.
  const inFlight = new Set<Promise<void>>();
  const publishing = new Set<Promise<void>>();
  let failure: { error: unknown } | null = null;
  const track = (set: Set<Promise<void>>, promise: Promise<void>) => {
    const work: Promise<void> = promise
      .catch((error: unknown) => {
        failure ??= { error };
      })
      .finally(() => set.delete(work));
    set.add(work);
  };
  for await (const chunk of entries) {
    if (failure) break;
    if (!chunk.length) continue;
    track(inFlight, enrol(chunk));
    if (inFlight.size >= IN_FLIGHT) await Promise.race(inFlight);
    while (publishing.size >= PUBLISHING) await Promise.race(publishing);
  }
  await Promise.all(inFlight);
  await Promise.all(publishing);
  // A failed chunk fails the pass; the next pass plans who is left.
  if (failure) throw (failure as { error: unknown }).error;
}

export function* chunksOf<T>(items: T[], size: number): Generator<T[]> {
  for (let i = 0; i < items.length; i += size) yield items.slice(i, i + size);
}

/**
 * The audience's members, a page at a time by id (each page one statement on the key's order). Only those already
 * members at `joinedBy` when given: later joiners come through their own events. A customer merged into another
 * keeps its row but nobody can reach it any more: it is left out here, in the daily scan and in the plan inputs. Who
 * was enrolled in the occurrence before is passed over when the page is enrolled, by the unique index, not here: an
 * anti-join planned on statistics from before a 100,000-row run turned each page into a scan of the run's enrolments.
 */
export async function* audiencePages(
  ctx: ScheduleContext,
  audience: CampaignAudience,
  joinedBy: Date | null,
): AsyncGenerator<string[]> {
  const size = ctx.chunkSize ?? CHUNK;
  let after = "";
  for (;;) {
    const rows =
      audience.kind === "segment"
        ? await ctx.db.$queryRaw<{ id: string; joined: boolean }[]>`
            SELECT m.customer_id AS id, (${joinedBy}::timestamptz IS NULL OR m.entered_at <= ${joinedBy}) AS joined
            FROM segment_members m
            WHERE m.segment_id = ${audience.segmentId} AND m.tenant_id = ${ctx.tenantId} AND m.customer_id > ${after}
            ORDER BY m.customer_id LIMIT ${size}`
        : audience.kind === "all_members"
          ? await ctx.db.$queryRaw<{ id: string; joined: boolean }[]>`
            SELECT c.id, (${joinedBy}::timestamptz IS NULL OR c.created_at <= ${joinedBy}) AS joined
            FROM customers c
            WHERE c.tenant_id = ${ctx.tenantId} AND c.erased_at IS NULL AND c.id > ${after}
              AND NOT EXISTS (SELECT 1 FROM customer_merges m WHERE m.tenant_id = c.tenant_id AND m.merged_id = c.id)
            ORDER BY c.id LIMIT ${size}`
          : [];
    if (!rows.length) return;
    yield rows.filter((r) => r.joined).map((r) => r.id);
    after = rows[rows.length - 1]!.id;
    if (rows.length < size) return;
  }
}

export async function* entriesOf(
  pages: AsyncIterable<string[]>,
  occurrence: string,
  at: Date,
): AsyncGenerator<OccurrenceEntry[]> {
  for await (const page of pages) yield page.map((customerId) => ({ customerId, occurrence, at }));
}
