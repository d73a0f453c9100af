import {
  alwaysOnStartPass,
  birthdayOccurrence,
  birthdaysDue,
  broadcastOccurrence,
  inactiveSince,
  inactivityOccurrence,
  nextBroadcastRuns,
} from "@regulars/campaigns";
import type { CampaignAudience, FrequencyCap } from "@regulars/contracts";
import { type Db, withTransaction } from "@regulars/db";
import type { OutboxItem } from "@regulars/ledger-store";
import { loadCampaigns, type OnUnreadableCampaign, type RunnableCampaign } from "./active-campaigns.ts";
import { notYetEnrolled, savedAudiences } from "./always-on-audience.ts";
import { enrolOccurrences, type OccurrenceEntry } from "./enrol.ts";
import type { QueueCampaignMessages } from "./run-message-steps.ts";

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

const CHUNK = 4_000;
const START_PASS = "campaign-always-on-start";
const DAILY_SCAN = "campaign-daily-scan";

/** Chunks planned at once: Node plans one while Postgres writes the others (chunks hold different customers). */
const IN_FLIGHT = 3;
/** Committed chunks whose events may be on their way to NATS at once. */
const PUBLISHING = 4;

/** Plans entries in chunks, one transaction each, so a 100,000-member run never holds one giant transaction. */
async function enrolInChunks(
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

function* chunksOf<T>(items: T[], size: number): Generator<T[]> {
  for (let i = 0; i < items.length; i += size) yield items.slice(i, i + size);
}

/**
 * The audience's members, a page at a time by id (each page one statement on the key's order). Only those already
 * members at `joinedBy` when given: later joiners come through their own events. A customer merged into another
 * keeps its row but nobody can reach it any more: it is left out here, in the daily scan and in the plan inputs. Who was enrolled in the
 * occurrence before is passed over when the page is enrolled, by the unique index, not here: an anti-join planned
 * on statistics from before a 100,000-row run turned each page into a scan of the run's enrolments.
 */
async function* audiencePages(
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

async function* entriesOf(
  pages: AsyncIterable<string[]>,
  occurrence: string,
  at: Date,
): AsyncGenerator<OccurrenceEntry[]> {
  for await (const page of pages) yield page.map((customerId) => ({ customerId, occurrence, at }));
}

/**
 * Broadcasts whose next run is due: every audience member enrolled in the run's occurrence (the planned instant,
 * the same on every instance), then the next run set. A `scheduled` broadcast becomes `active` as its first run
 * starts. A pass cut short (a crash, a lost lease) runs the same occurrence again and plans only who is left.
 */
export async function runDueBroadcasts(ctx: ScheduleContext): Promise<ScheduleResult> {
  const out: ScheduleResult = { acted: 0, outbox: [] };
  const due = (
    await loadCampaigns(
      ctx.db,
      { tenantId: ctx.tenantId, statuses: ["scheduled", "active"], triggers: ["broadcast"] },
      ctx.onUnreadable,
    )
  ).filter((c) => c.nextRunAt !== null && c.nextRunAt.getTime() <= ctx.now.getTime());
  for (const found of due) {
    const runAt = found.nextRunAt!;
    if (found.status === "scheduled")
      await ctx.db.$executeRaw`
        UPDATE campaigns SET status = 'active', started_at = coalesce(started_at, ${ctx.now}), updated_at = ${ctx.now}
        WHERE id = ${found.id} AND status = 'scheduled'`;
    const campaign: RunnableCampaign = {
      ...found,
      status: "active",
      definition: { ...found.definition, status: "active" },
    };
    const occurrence = broadcastOccurrence(runAt);
    await enrolInChunks(
      ctx,
      campaign,
      entriesOf(audiencePages(ctx, campaign.definition.audience, null), occurrence, runAt),
      out,
      true,
    );
    const trigger = campaign.definition.trigger;
    if (trigger.type !== "broadcast") continue;
    // Runs missed while nothing ran are not made up: the next one is after now.
    const after = new Date(Math.max(runAt.getTime(), ctx.now.getTime()));
    const [next] = nextBroadcastRuns(trigger.schedule, after, ctx.zone, 1);
    await ctx.db.$executeRaw`
      UPDATE campaigns SET next_run_at = ${next ?? null}, updated_at = ${ctx.now}
      WHERE id = ${campaign.id} AND next_run_at = ${runAt}`;
  }
  return out;
}

/**
 * Always-on campaigns enrol the members their audience had when they started (`started_at`, set now if the admin
 * left it empty); later joiners come through `segment.entered` or `customer.created`. An audience saved after the
 * start gets a start pass of its own (`alwaysOnStartPass`) over its members at the change whom the campaign has not
 * enrolled yet. A finished start pass is marked in `job_marks`, so later passes do not page through the audience
 * again; a pass cut short is run again and enrols only who is left.
 */
export async function startAlwaysOnCampaigns(ctx: ScheduleContext): Promise<ScheduleResult> {
  const out: ScheduleResult = { acted: 0, outbox: [] };
  const campaigns = await loadCampaigns(
    ctx.db,
    {
      tenantId: ctx.tenantId,
      statuses: ["active"],
      triggers: ["always_on"],
    },
    ctx.onUnreadable,
  );
  for (const campaign of campaigns) {
    let startedAt = campaign.startedAt;
    if (!startedAt) {
      const [row] = await ctx.db.$queryRaw<{ started_at: Date }[]>`
        UPDATE campaigns SET started_at = coalesce(started_at, ${ctx.now}) WHERE id = ${campaign.id} RETURNING started_at`;
      startedAt = row?.started_at ?? ctx.now;
    }
    const pass = alwaysOnStartPass(startedAt, await savedAudiences(ctx.db, campaign.id, campaign.version));
    const mark = `${campaign.id}:${pass.occurrence}`;
    const [finished] = await ctx.db.$queryRaw<{ key: string }[]>`
      SELECT key FROM job_marks WHERE job = ${START_PASS} AND tenant_id = ${ctx.tenantId} AND key = ${mark}`;
    if (finished) continue;
    const members = audiencePages(ctx, campaign.definition.audience, pass.since);
    const pages = pass.audienceChanged ? notYetEnrolled(ctx.db, campaign.id, members) : members;
    await enrolInChunks(ctx, campaign, entriesOf(pages, pass.occurrence, pass.since), out, true);
    await ctx.db.$executeRaw`
      INSERT INTO job_marks (job, tenant_id, key) VALUES (${START_PASS}, ${ctx.tenantId}, ${mark}) ON CONFLICT DO NOTHING`;
  }
  return out;
}

/**
 * The daily scan for birthday and inactivity campaigns, once per campaign version and local day of the tenant
 * (marked in `job_marks` when finished, so the passes after it that day read nothing). Occurrences name the
 * birthday's date and the last activity, so a scan run again (a crash, two instances) enrols nobody twice.
 */
export async function scanClockTriggers(ctx: ScheduleContext): Promise<ScheduleResult> {
  const out: ScheduleResult = { acted: 0, outbox: [] };
  const campaigns = await loadCampaigns(
    ctx.db,
    {
      tenantId: ctx.tenantId,
      statuses: ["active"],
      triggers: ["birthday", "inactive"],
    },
    ctx.onUnreadable,
  );
  // Nothing to scan reads nothing, not even the tenant's clock (a tenant whose zone is broken fails only here).
  if (!campaigns.length) return out;
  const size = ctx.chunkSize ?? CHUNK;
  const today = new Intl.DateTimeFormat("en-CA", {
    timeZone: ctx.zone,
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
  }).format(ctx.now);
  for (const campaign of campaigns) {
    const trigger = campaign.definition.trigger;
    const mark = `${campaign.id}:${campaign.version}:${today}`;
    const [scanned] = await ctx.db.$queryRaw<{ key: string }[]>`
      SELECT key FROM job_marks WHERE job = ${DAILY_SCAN} AND tenant_id = ${ctx.tenantId} AND key = ${mark}`;
    if (scanned) continue;
    const entries: OccurrenceEntry[] = [];
    if (trigger.type === "birthday") {
      const due = birthdaysDue(trigger, ctx.now, ctx.zone);
      const rows = await ctx.db.$queryRaw<{ id: string; dob: string }[]>`
        SELECT c.id, to_char(c.date_of_birth, 'YYYY-MM-DD') AS dob FROM customers c
        JOIN unnest(${due.map((d) => d.month)}::int[], ${due.map((d) => d.day)}::int[]) AS d(month, day)
          ON extract(month FROM c.date_of_birth) = d.month AND extract(day FROM c.date_of_birth) = d.day
        WHERE c.tenant_id = ${ctx.tenantId} AND c.erased_at IS NULL
          AND NOT EXISTS (SELECT 1 FROM customer_merges m WHERE m.tenant_id = c.tenant_id AND m.merged_id = c.id)`;
      for (const r of rows) {
        const hit = birthdayOccurrence(trigger, r.dob, ctx.now, ctx.zone);
        if (hit) entries.push({ customerId: r.id, occurrence: hit.occurrence, at: hit.at });
      }
    } else if (trigger.type === "inactive") {
      const since = inactiveSince(trigger, ctx.now);
      const rows = await ctx.db.$queryRaw<{ customer_id: string; last_activity_at: Date }[]>`
        SELECT l.customer_id, l.last_activity_at FROM customer_loyalty l
        JOIN customers c ON c.id = l.customer_id AND c.erased_at IS NULL
        WHERE l.tenant_id = ${ctx.tenantId} AND l.last_activity_at <= ${since}
          AND NOT EXISTS (SELECT 1 FROM customer_merges m WHERE m.tenant_id = c.tenant_id AND m.merged_id = c.id)
          AND NOT EXISTS (SELECT 1 FROM campaign_enrolments e
            WHERE e.campaign_id = ${campaign.id} AND e.customer_id = l.customer_id
              AND e.occurred_at = l.last_activity_at + make_interval(secs => ${trigger.days * 86_400}))`;
      for (const r of rows) {
        const hit = inactivityOccurrence(trigger, r.last_activity_at, ctx.now);
        if (hit) entries.push({ customerId: r.customer_id, occurrence: hit.occurrence, at: hit.at });
      }
    }
    await enrolInChunks(ctx, campaign, chunksOf(entries, size), out, false);
    await ctx.db.$executeRaw`
      INSERT INTO job_marks (job, tenant_id, key) VALUES (${DAILY_SCAN}, ${ctx.tenantId}, ${mark}) ON CONFLICT DO NOTHING`;
  }
  return out;
}

/** Every schedule of a tenant in one call, for the scheduled jobs' pass. */
export async function runCampaignSchedules(ctx: ScheduleContext): Promise<ScheduleResult> {
  const results = [await runDueBroadcasts(ctx), await startAlwaysOnCampaigns(ctx), await scanClockTriggers(ctx)];
  return { acted: results.reduce((n, r) => n + r.acted, 0), outbox: results.flatMap((r) => r.outbox) };
}
