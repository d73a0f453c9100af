import {
  alwaysOnStartPass,
  birthdayOccurrenceOn,
  birthdaysDueOn,
  daysToScan,
  inactiveSince,
  inactivityOccurrence,
  scanWindow,
} from "@regulars/campaigns";
import { loadCampaigns, type RunnableCampaign } from "./active-campaigns.ts";
import { notYetEnrolled, savedAudiences } from "./always-on-audience.ts";
import { runDueBroadcasts } from "./broadcasts.ts";
import type { OccurrenceEntry } from "./enrol.ts";
import {
  audiencePages,
  CHUNK,
  chunksOf,
  enrolInChunks,
  entriesOf,
  type ScheduleContext,
  type ScheduleResult,
} from "./enrol-in-chunks.ts";

export { runDueBroadcasts } from "./broadcasts.ts";
export type { ScheduleContext, ScheduleResult } from "./enrol-in-chunks.ts";

const START_PASS = "campaign-always-on-start";
const DAILY_SCAN = "campaign-daily-scan";

/** The occurrence of an always-on campaign's catch-up pass after a resume: the resume's instant. */
export const alwaysOnResumeOccurrence = (resumedAt: Date): string => `always_on:resume:${resumedAt.toISOString()}`;

interface AudiencePass {
  occurrence: string;
  /** Members who joined by then; later joiners come through their own events. */
  since: Date;
  /** Only members the campaign never enrolled (entered or held out) under any occurrence. */
  onlyNew: boolean;
}

/** Enrols the audience's members once per pass: a finished pass is marked in `job_marks` and not paged again. */
async function runPassOnce(
  ctx: ScheduleContext,
  campaign: RunnableCampaign,
  pass: AudiencePass,
  out: ScheduleResult,
): Promise<void> {
  const mark = `${campaign.id}:${pass.occurrence}`;
  const [finished] = await ctx.db.$queryRaw<{ key: string }[]>`
    SELECT key FROM job_marks WHERE job = ${START_PASS} AND tenant_id = ${ctx.tenantId} AND key = ${mark}`;
  if (finished) return;
  const members = audiencePages(ctx, campaign.definition.audience, pass.since);
  const pages = pass.onlyNew ? notYetEnrolled(ctx.db, campaign.id, members) : members;
  await enrolInChunks(ctx, campaign, entriesOf(pages, pass.occurrence, pass.since), out, true);
  await ctx.db.$executeRaw`
    INSERT INTO job_marks (job, tenant_id, key) VALUES (${START_PASS}, ${ctx.tenantId}, ${mark})
    ON CONFLICT DO NOTHING`;
}

/**
 * Always-on campaigns enrol the members their audience had when they started (`started_at`, set now if the admin
 * left it empty); later joiners come through `segment.entered` or `customer.created`. An audience saved after the
 * start gets a start pass of its own (`alwaysOnStartPass`) over its members at the change whom the campaign has not
 * enrolled yet. A paused campaign hears no events, so those who joined during a pause are missed by both: a resumed
 * campaign (`resumed_at`) gets a catch-up pass over its members at the resume whom it has not enrolled yet, named by
 * the resume. A finished pass is marked in `job_marks`, so later passes do not page through the audience again; a
 * pass cut short is run again and enrols only who is left.
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
        UPDATE campaigns SET started_at = coalesce(started_at, ${ctx.now})
        WHERE id = ${campaign.id} RETURNING started_at`;
      startedAt = row?.started_at ?? ctx.now;
    }
    const start = alwaysOnStartPass(startedAt, await savedAudiences(ctx.db, campaign.id, campaign.version));
    await runPassOnce(ctx, campaign, { ...start, onlyNew: start.audienceChanged }, out);
    const resumedAt = campaign.resumedAt;
    if (resumedAt && resumedAt.getTime() > startedAt.getTime())
      await runPassOnce(
        ctx,
        campaign,
        { occurrence: alwaysOnResumeOccurrence(resumedAt), since: resumedAt, onlyNew: true },
        out,
      );
  }
  return out;
}

const scanMark = (campaignId: string, version: number, day: string) => `${campaignId}:${version}:${day}`;

/**
 * The last day of the window a scan of the campaign finished under any of its versions, and whether this version
 * finished today's. The keys are named one by one (each version on each day of the window), so the lookup stays on
 * `job_marks`' key however many days of marks the tenant has piled up.
 */
async function scansInWindow(
  ctx: ScheduleContext,
  campaign: RunnableCampaign,
  window: readonly string[],
): Promise<{ lastScanned: string | null; todayScanned: boolean }> {
  const keys: string[] = [];
  for (let version = 1; version <= campaign.version; version++)
    for (const day of window) keys.push(scanMark(campaign.id, version, day));
  const rows = await ctx.db.$queryRaw<{ key: string }[]>`
    SELECT key FROM job_marks WHERE job = ${DAILY_SCAN} AND tenant_id = ${ctx.tenantId} AND key = ANY(${keys}::text[])`;
  const today = window[window.length - 1]!;
  const days = rows.map((r) => r.key.slice(-today.length)).sort();
  const todayMark = scanMark(campaign.id, campaign.version, today);
  return { lastScanned: days[days.length - 1] ?? null, todayScanned: rows.some((r) => r.key === todayMark) };
}

/**
 * The customers whose birthday one of the local days (oldest first, today last) is due on, each under the first day
 * that finds them. A missed day scanned late greets only who was a customer by its end, as its own scan would have;
 * today's scan greets everyone it finds.
 */
async function birthdayEntries(
  ctx: ScheduleContext,
  trigger: { daysBefore: number },
  days: readonly string[],
): Promise<OccurrenceEntry[]> {
  const due = new Map<string, { month: number; day: number }>();
  for (const day of days) for (const d of birthdaysDueOn(trigger, day)) due.set(`${d.month}-${d.day}`, d);
  const dates = [...due.values()];
  const rows = await ctx.db.$queryRaw<{ id: string; dob: string; created_at: Date }[]>`
    SELECT c.id, to_char(c.date_of_birth, 'YYYY-MM-DD') AS dob, c.created_at FROM customers c
    JOIN unnest(${dates.map((d) => d.month)}::int[], ${dates.map((d) => d.day)}::int[]) AS d(month, day)
      ON extract(month FROM c.date_of_birth) = d.month AND extract(day FROM c.date_of_birth) = d.day
    WHERE c.tenant_id = ${ctx.tenantId} AND c.erased_at IS NULL
      AND NOT EXISTS (SELECT 1 FROM customer_merges m WHERE m.tenant_id = c.tenant_id AND m.merged_id = c.id)`;
  const today = days[days.length - 1];
  const entries: OccurrenceEntry[] = [];
  for (const r of rows) {
    for (const day of days) {
      const hit = birthdayOccurrenceOn(trigger, r.dob, day, ctx.zone, day === today ? null : r.created_at);
      if (!hit) continue;
      entries.push({ customerId: r.id, occurrence: hit.occurrence, at: hit.at });
      break;
    }
  }
  return entries;
}

/**
 * The daily scan for birthday and inactivity campaigns, once per campaign version and local day of the tenant
 * (marked in `job_marks` when finished, so the passes after it that day read nothing). A birthday is due on a local
 * day, so the days no scan of the campaign finished (an outage, a deploy, the tenant's job failing all day) are
 * scanned by the next pass, late, within `SCAN_CATCH_UP_DAYS` and never before the campaign was active (`daysToScan`);
 * inactivity is due from an instant, and any later scan finds it. Occurrences name the birthday's year and the last
 * activity, so a scan run again (a crash, two instances, a missed day scanned late) enrols nobody twice.
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
  const window = scanWindow(ctx.now, ctx.zone);
  const today = window[window.length - 1]!;
  for (const campaign of campaigns) {
    const trigger = campaign.definition.trigger;
    const { lastScanned, todayScanned } = await scansInWindow(ctx, campaign, window);
    if (todayScanned) continue;
    let entries: OccurrenceEntry[] = [];
    if (trigger.type === "birthday") {
      entries = await birthdayEntries(ctx, trigger, daysToScan(window, lastScanned, campaign, ctx.zone));
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
    const mark = scanMark(campaign.id, campaign.version, today);
    await ctx.db.$executeRaw`
      INSERT INTO job_marks (job, tenant_id, key) VALUES (${DAILY_SCAN}, ${ctx.tenantId}, ${mark})
      ON CONFLICT DO NOTHING`;
  }
  return out;
}

/** Every schedule of a tenant in one call, for the scheduled jobs' pass. */
export async function runCampaignSchedules(ctx: ScheduleContext): Promise<ScheduleResult> {
  const results = [await runDueBroadcasts(ctx), await startAlwaysOnCampaigns(ctx), await scanClockTriggers(ctx)];
  return { acted: results.reduce((n, r) => n + r.acted, 0), outbox: results.flatMap((r) => r.outbox) };
}
