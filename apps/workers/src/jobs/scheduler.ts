import type { AnalystSqlTarget } from "@regulars/analytics";
import type { Bus } from "@regulars/bus";
import type { QueueCampaignMessages } from "@regulars/campaigns-store";
import { computeRfmBoundaries } from "@regulars/customers-store";
import { type Db, isDbUnreachable, isTransientDbError } from "@regulars/db";
import { pruneUsedIdentityTokens } from "@regulars/identity-tokens";
import {
  applyTierDowngrades,
  expirePoints,
  type JobResult,
  type OutboxItem,
  pruneAcceptanceRecords,
  pruneOutbox,
  releaseExpiredHolds,
  releasePendingPoints,
  sendExpiryNotices,
} from "@regulars/ledger-store";
import type { Logger } from "@regulars/logger";
import { publishOutbox } from "@regulars/outbox";
import { applyRetention, finishErasures } from "@regulars/privacy";
import type { ProgrammeCache } from "@regulars/programme";
import type { Counter, Registry } from "prom-client";
import { campaignSchedulesJob } from "../campaigns/schedule-jobs.ts";
import { sharedCounter } from "../shared-metrics.ts";
import type { TenantCapsReader } from "../tenant-caps-cache.ts";
import { eraseStreamMessages } from "./erased-stream-messages.ts";
import { refreshSegmentsJob, type ScheduledJobContext } from "./refresh-segments.ts";
import { analyticsForPass, clickhouseJobs } from "./scheduler-clickhouse.ts";
import { tryAcquireLease } from "./scheduler-lease.ts";
import { trimStreams } from "./stream-retention.ts";

export interface SchedulerDeps {
  db: Db;
  bus: Bus;
  log: Logger;
  programmes: ProgrammeCache;
  /** ClickHouse, for the jobs that read it (segment refreshes); they do nothing without it. */
  analytics?: AnalystSqlTarget;
  /** Renders and queues campaign messages: broadcasts queue those due now as they plan them. */
  queueMessages?: QueueCampaignMessages;
  /** The tenant's own caps for the campaigns' schedules; read from Postgres each pass when absent. */
  tenantCaps?: TenantCapsReader;
  /** Where `regulars_job_runs_total{job,outcome}` is counted. */
  registry?: Registry;
  /** How long read messages stay on their streams (`busDefaults.keepReadMs` when absent). */
  streamKeepReadMs?: number;
  /**
   * How old an event the gateway still accepts is (OCCURRED_AT_MAX_AGE_DAYS): the events' outcomes, which stop a retry
   * from paying again, are kept at least that long, and the tier pass judges everyone while a sale that old can still
   * arrive (`defaultOccurredAtWindow` when absent).
   */
  occurredAtMaxAgeDays?: number;
  /** How long ClickHouse has to answer the ping at the start of a pass (2 s when absent). */
  clickhouseProbeMs?: number;
  /**
   * True once the process is stopping: the pass ends after the tenant in hand, and the next holder of the lease does
   * the rest. A pass over every tenant of a large database takes minutes; shutting down must not wait for it.
   */
  stopping?: () => boolean;
  /** How long the lease lasts unrenewed (60 s when absent): how soon another process takes over from a dead one. */
  leaseTtlMs?: number;
}

/**
 * In this order: released points can then expire; notices look at what is left; checkout holds past their time end;
 * the tenant's RFM quintiles (hourly at most) for the behavioural profiles.
 */
export const jobs: [string, (ctx: ScheduledJobContext & { bus: Bus }) => Promise<JobResult>][] = [
  ["release-pending", releasePendingPoints],
  ["expire-points", expirePoints],
  ["expiry-notices", sendExpiryNotices],
  ["tier-downgrades", applyTierDowngrades],
  ["expire-holds", releaseExpiredHolds],
  // Privacy: retention by the tenant's settings, then ClickHouse's part of erasures that could not finish.
  ["apply-retention", applyRetention],
  ["finish-erasures", finishErasures],
  // The erased customers' messages on the transactions and dead-letter streams.
  ["erase-stream-messages", eraseStreamMessages],
  ["rfm-boundaries", computeRfmBoundaries],
  ["refresh-segments", refreshSegmentsJob],
  // After the refresh: a broadcast to a segment goes to its members as of now.
  ["campaign-schedules", campaignSchedulesJob],
];

const LEASE = "scheduled-jobs";

/** One counter per registry, however many passes and schedulers share it. */
function jobRunsCounter(registry: Registry | undefined): Counter<"job" | "outcome"> | null {
  if (!registry) return null;
  return sharedCounter(registry, {
    name: "regulars_job_runs_total",
    help: "Scheduled job runs per tenant, by job and outcome (ok|failed|skipped)",
    labelNames: ["job", "outcome"],
  });
}

/**
 * One pass of every scheduled job over every tenant, as of `now`. Only one pass runs at a time, in this
 * process or any other (a lease row, see scheduler-lease.ts): returns null when another holds it. Every
 * job is idempotent, so a pass interrupted by a crash is simply run again. A job that fails for one
 * tenant is logged and counted and the pass goes on with the rest, unless Postgres could not be reached: then the
 * pass stops there, with one warning (`failed` counts that run). So does a pass whose lease renewal failed or found
 * the lease taken: it starts no further job, nor the clean-ups, and the next pass to take the lease carries on.
 * `only` limits the pass to some
 * tenants (an operator re-running one tenant's jobs). Returns what each job did (`failed`: how many
 * tenant-job runs failed, when any did; `skipped`: how many waited for a ClickHouse that did not answer).
 */
export async function runScheduledJobs(
  deps: SchedulerDeps,
  now: Date,
  only?: { tenantIds: string[] },
): Promise<Record<string, number> | null> {
  const lease = await tryAcquireLease(deps.db, LEASE, { log: deps.log, ttlMs: deps.leaseTtlMs });
  if (!lease) return null;
  const runs = jobRunsCounter(deps.registry);
  const done: Record<string, number> = {};
  let failed = 0;
  let skipped = 0;
  let abandoned = false;
  let leaseLost = false;
  try {
    const analytics = await analyticsForPass(deps);
    const clickhouseDown = deps.analytics !== undefined && analytics === undefined;
    const tenants = await deps.db.tenant.findMany({
      where: only ? { id: { in: only.tenantIds } } : {},
      select: { id: true },
      orderBy: { id: "asc" },
    });
    let interrupted = false;
    // Postgres gone mid-pass: every later tenant and job would fail the same way, each with its own stack. Only
    // when Postgres does not answer a probe: a socket error can be ClickHouse's, and a job's own timeout or conflict
    // must not keep every tenant after it from its jobs on every pass.
    const postgresGone = async (e: unknown) =>
      isDbUnreachable(e) &&
      (await deps.db.$queryRaw`SELECT 1`.then(
        () => false,
        () => true,
      ));
    const abandon = (e: unknown, at: { job: string; tenantId: string }) => {
      abandoned = true;
      deps.log.warn(
        {
          ...at,
          reason: String((e as Error)?.message ?? e)
            .replace(/\s+/g, " ")
            .trim(),
        },
        "Postgres unreachable; pass abandoned, the next pass retries",
      );
    };
    // Checked before every job, not every tenant: once another process may hold the lease, each job started here
    // could be running there too.
    const leaseGone = (at: { job: string; tenantId?: string }) => {
      if (lease.held) return false;
      if (!leaseLost)
        deps.log.warn(at, "scheduled pass no longer holds its lease; stopping, the next holder carries on");
      leaseLost = true;
      return true;
    };
    for (const tenant of tenants) {
      if (leaseGone({ job: "programme", tenantId: tenant.id })) break;
      if (deps.stopping?.()) {
        deps.log.info({ tenantId: tenant.id }, "scheduled pass ends early: the process is stopping");
        interrupted = true;
        break;
      }
      const programme = await deps.programmes.inForce(tenant.id, now).catch(async (e: unknown) => {
        runs?.inc({ job: "programme", outcome: "failed" });
        failed++;
        if (await postgresGone(e)) {
          abandon(e, { job: "programme", tenantId: tenant.id });
          return null;
        }
        deps.log.error(
          { err: e, tenantId: tenant.id },
          "cannot load the tenant's programme; skipping its scheduled jobs",
        );
        return null;
      });
      if (abandoned) break;
      if (!programme) continue;
      for (const [name, job] of jobs) {
        if (leaseGone({ job: name, tenantId: tenant.id })) break;
        if (clickhouseDown && clickhouseJobs.has(name)) {
          runs?.inc({ job: name, outcome: "skipped" });
          skipped++;
          continue;
        }
        // After one failure the run stops trying: a paged job publishes each page, and through a NATS outage each
        // try would wait out its timeout under the lease. Its rows stay unpublished for the outbox relay.
        let publishFailed = false;
        const publish = async (items: OutboxItem[]) => {
          if (publishFailed) return;
          await publishOutbox(deps.db, deps.bus, items, { log: deps.log }).catch((e) => {
            if (publishFailed) return;
            publishFailed = true;
            deps.log.warn(
              { err: e, job: name, tenantId: tenant.id },
              "publishing job events failed; not trying again in this run, the outbox relay will retry",
            );
          });
        };
        try {
          const result = await job({
            db: deps.db,
            log: deps.log,
            tenantId: tenant.id,
            bus: deps.bus,
            programme,
            now,
            analytics,
            ...(deps.occurredAtMaxAgeDays ? { occurredAtMaxAgeDays: deps.occurredAtMaxAgeDays } : {}),
            ...(deps.queueMessages ? { queueMessages: deps.queueMessages } : {}),
            ...(deps.tenantCaps ? { tenantCaps: deps.tenantCaps } : {}),
            publish,
          });
          done[name] = (done[name] ?? 0) + result.acted;
          runs?.inc({ job: name, outcome: "ok" });
          await publish(result.outbox);
        } catch (e) {
          runs?.inc({ job: name, outcome: "failed" });
          failed++;
          if (await postgresGone(e)) {
            abandon(e, { job: name, tenantId: tenant.id });
            break;
          }
          // One tenant's bad data must not stop every other tenant's expiry and downgrades.
          deps.log.error(
            { err: e, job: name, tenantId: tenant.id },
            "scheduled job failed for a tenant; the next pass retries it",
          );
        }
      }
      if (abandoned || leaseLost) break;
    }
    // Stopping, or the lease gone: the clean-ups wait for the next pass as the remaining tenants do.
    if (!interrupted && !abandoned && !leaseGone({ job: "clean-ups" })) {
      done["outbox-cleanup"] = await pruneOutbox(deps.db, now, { tenantIds: only?.tenantIds });
      done["receipts-cleanup"] = await pruneAcceptanceRecords(deps.db, now, {
        tenantIds: only?.tenantIds,
        occurredAtMaxAgeDays: deps.occurredAtMaxAgeDays,
      });
      // A used token is kept until it expires (a replay is refused by it, after an erasure too), then nothing needs it.
      done["used-tokens-cleanup"] = await pruneUsedIdentityTokens(deps.db, now, { tenantIds: only?.tenantIds });
      // The streams are every tenant's: trimmed in full passes only. Unreachable, they wait for the next pass.
      if (!only && !leaseGone({ job: "stream-retention" })) {
        try {
          const trimmed = await trimStreams(deps.bus, deps.db, now, deps.streamKeepReadMs);
          done["stream-retention"] = trimmed.transactions + trimmed.events + trimmed.domain;
          runs?.inc({ job: "stream-retention", outcome: "ok" });
        } catch (e) {
          deps.log.warn({ err: e }, "trimming the streams failed; the next pass retries");
          runs?.inc({ job: "stream-retention", outcome: "failed" });
          failed++;
        }
      }
    }
  } finally {
    await lease.release().catch((e) => {
      // Already said for an abandoned pass or a lost lease: Postgres is away, and the lease lapses on its own.
      if (!((abandoned || leaseLost) && isTransientDbError(e)))
        deps.log.warn({ err: e }, "releasing the scheduler lease failed; it lapses on its own");
    });
  }
  if (failed) done.failed = failed;
  if (skipped) done.skipped = skipped;
  return done;
}

/**
 * Runs a pass every `intervalMs`. A pass still running when the next is due is not queued behind: the
 * tick is skipped, so a slow pass never builds a backlog (other processes are kept out by the lease).
 */
export function startScheduler(deps: SchedulerDeps & { intervalMs: number }): { stop(): Promise<void> } {
  let running: Promise<unknown> | null = null;
  let stopped = false;
  const pass = () => {
    if (stopped || running) return;
    running = runScheduledJobs({ ...deps, stopping: () => stopped }, new Date())
      .then(
        (done) =>
          done &&
          Object.entries(done).some(([k, n]) => k !== "failed" && k !== "skipped" && n > 0) &&
          deps.log.info({ done }, "scheduled jobs ran"),
      )
      .catch((e) => deps.log.error({ err: e }, "scheduled jobs failed; will retry next pass"))
      .finally(() => (running = null));
  };
  const timer = setInterval(pass, deps.intervalMs);
  pass();
  return {
    async stop() {
      stopped = true;
      clearInterval(timer);
      await running;
    },
  };
}
