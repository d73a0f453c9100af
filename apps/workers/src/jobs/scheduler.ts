import type { Bus } from "@regulars/bus";
import type { Db } from "@regulars/db";
import type { Logger } from "@regulars/logger";
import type { ProgrammeCache } from "../ledger/programmes.ts";
import { publishOutbox } from "../outbox/publish-outbox.ts";
import type { JobContext, JobResult } from "./context.ts";
import { sendExpiryNotices } from "./expiry-notices.ts";
import { expirePoints } from "./expire-points.ts";
import { releasePendingPoints } from "./release-pending.ts";
import { applyTierDowngrades } from "./tier-downgrades.ts";

export interface SchedulerDeps {
  db: Db;
  bus: Bus;
  log: Logger;
  programmes: ProgrammeCache;
}

/** In this order: released points can then expire; notices look at what is left. */
export const jobs: [string, (ctx: JobContext) => Promise<JobResult>][] = [
  ["release-pending", releasePendingPoints],
  ["expire-points", expirePoints],
  ["expiry-notices", sendExpiryNotices],
  ["tier-downgrades", applyTierDowngrades],
];

const schedulerLock = 746_582_392;

/**
 * One pass of every scheduled job over every tenant, as of `now`. Only one process runs a pass at a
 * time (a Postgres advisory lock); every job is idempotent, so a pass interrupted by a crash is simply
 * run again. `only` limits the pass to some tenants (an operator re-running one tenant's jobs).
 * Returns what each job did.
 */
export async function runScheduledJobs(deps: SchedulerDeps, now: Date, only?: { tenantIds: string[] }): Promise<Record<string, number> | null> {
  return deps.db.$transaction(
    async (lockTx) => {
      const [lock] = await lockTx.$queryRaw<{ locked: boolean }[]>`SELECT pg_try_advisory_xact_lock(${schedulerLock}) AS locked`;
      if (!lock?.locked) return null; // another process is running this pass
      const done: Record<string, number> = {};
      const tenants = await deps.db.tenant.findMany({ where: only ? { id: { in: only.tenantIds } } : {}, select: { id: true } });
      for (const tenant of tenants) {
        const programme = await deps.programmes.inForce(tenant.id, now);
        if (!programme) continue;
        for (const [name, job] of jobs) {
          const result = await job({ db: deps.db, log: deps.log, tenantId: tenant.id, programme, now });
          done[name] = (done[name] ?? 0) + result.acted;
          await publishOutbox(deps.db, deps.bus, result.outbox).catch((e) => deps.log.warn({ err: e, job: name }, "publishing job events failed; the outbox relay will retry"));
        }
      }
      done["outbox-cleanup"] = await pruneOutbox(deps.db, now);
      return done;
    },
    { timeout: 30 * 60 * 1000, maxWait: 10_000 },
  );
}

export function startScheduler(deps: SchedulerDeps & { intervalMs: number }): { stop(): Promise<void> } {
  let running: Promise<unknown> = Promise.resolve();
  let stopped = false;
  const pass = () => {
    running = running
      .then(() => (stopped ? null : runScheduledJobs(deps, new Date())))
      .then((done) => done && Object.values(done).some((n) => n > 0) && deps.log.info({ done }, "scheduled jobs ran"))
      .catch((e) => deps.log.error({ err: e }, "scheduled jobs failed; will retry next pass"));
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

/** Published outbox rows are kept a week (for diagnosis and the relay's duplicate window), then deleted. */
export async function pruneOutbox(db: Db, now: Date, keepDays = 7): Promise<number> {
  const before = new Date(now.getTime() - keepDays * 24 * 60 * 60 * 1000);
  let deleted = 0;
  for (;;) {
    const n = await db.$executeRaw`
      DELETE FROM outbox_events WHERE id IN (
        SELECT id FROM outbox_events WHERE published_at IS NOT NULL AND published_at < ${before} LIMIT 10000)`;
    deleted += n;
    if (n < 10_000) return deleted;
  }
}
