import {
  type ClaimedStep,
  claimDueSteps,
  isBatchableMessageStep,
  type QueueCampaignMessages,
  runMessageSteps,
  runStep,
  type StepEffects,
  type StepOutcome,
} from "@regulars/campaigns-store";
import type { Db } from "@regulars/db";
import type { OutboxItem } from "@regulars/ledger-store";
import type { Logger } from "@regulars/logger";

export interface StepExecutorOptions extends StepEffects {
  db: Db;
  log: Logger;
  /** Publishes committed events (coupons issued) after each step. */
  publish: (outbox: OutboxItem[]) => Promise<void>;
  /** Steps claimed at a time. */
  batch?: number;
  /** How long a claim keeps a step from other executors: longer than any step takes. */
  claimMs?: number;
  /** How often it looks for due steps when nothing woke it. */
  pollMs?: number;
  /** The clock (tests move it). */
  now?: () => Date;
  /** Only these tenants' steps (tests sharing a database); all if absent. */
  tenantIds?: readonly string[];
  /** Queues many steps' messages at once; without it every message step is its own transaction. */
  queueMessages?: QueueCampaignMessages;
}

// A claim of 500 steps: a broadcast's messages go 500 to a transaction; steps run one by one (coupons, points)
// take tens of milliseconds each, well inside the claim.
export const stepExecutorDefaults = { batch: 500, claimMs: 60_000, pollMs: 1_000, parallel: 2 };

export interface StepExecutor {
  /** One pass: claims due steps until none is left, runs them; what became of each. */
  runDue(): Promise<Record<StepOutcome, number>>;
  start(): void;
  wake(): void;
  stop(): Promise<void>;
}

/**
 * Runs due campaign steps beside the trigger consumer, in any number of processes: claims keep two executors off
 * the same step, and the step's key keeps a coupon, a movement or a message from being made twice should a claim
 * run out mid-step. Messages of running campaigns go many to a transaction (`queueMessages`); other steps one at a
 * time, each a short transaction.
 */
export function createStepExecutor(opts: StepExecutorOptions): StepExecutor {
  const now = opts.now ?? (() => new Date());
  const batch = opts.batch ?? stepExecutorDefaults.batch;
  let timer: NodeJS.Timeout | null = null;
  let running: Promise<unknown> | null = null;
  let again = false;
  let stopped = false;

  /** Runs one claim's steps: a running campaign's messages together, the rest one by one. */
  const runClaimed = async (claimed: ClaimedStep[], counts: Record<StepOutcome, number>) => {
    const queueMessages = opts.queueMessages;
    const batched = new Set(queueMessages ? claimed.filter(isBatchableMessageStep) : []);
    if (queueMessages && batched.size)
      for (const ran of await runMessageSteps(opts.db, [...batched], { ...opts, queueMessages }, now()))
        counts[ran.outcome]++;
    for (const step of claimed) {
      if (batched.has(step)) continue;
      const ran = await runStep(opts.db, step, opts, now());
      counts[ran.outcome]++;
      if (ran.outcome === "failed")
        opts.log.warn({ step: step.key, campaignId: step.campaignId }, "campaign step failed for good");
      await opts.publish(ran.outbox);
    }
  };

  // Two claims in flight: while one batch renders in Node, the other's statements run in Postgres. Claims never
  // overlap (SKIP LOCKED), and a step still waits for the earlier steps of its enrolment, whichever claim has them.
  // A claim's failure (Postgres gone mid-step) is caught where its work starts: the loop may be awaiting the next
  // claim meanwhile, and a rejection nobody handles yet ends the process. It fails the pass once the other claim in
  // flight is over; the steps it did not finish are claimed again when their claim runs out.
  const runDue = async () => {
    const counts = { done: 0, skipped: 0, held: 0, cancelled: 0, retry: 0, failed: 0, gone: 0 };
    const inFlight = new Set<Promise<void>>();
    const failures: unknown[] = [];
    try {
      for (;;) {
        const claimed = await claimDueSteps(opts.db, {
          now: now(),
          limit: batch,
          claimMs: opts.claimMs ?? stepExecutorDefaults.claimMs,
          tenantIds: opts.tenantIds,
        });
        if (claimed.length) {
          const work: Promise<void> = runClaimed(claimed, counts)
            .catch((e: unknown) => {
              failures.push(e);
              opts.log.warn({ err: e, steps: claimed.length }, "campaign steps of a claim failed; they are run again");
            })
            .finally(() => inFlight.delete(work));
          inFlight.add(work);
        }
        if (stopped || failures.length) break;
        if (inFlight.size >= stepExecutorDefaults.parallel) await Promise.race(inFlight);
        else if (!claimed.length) {
          // Again until nothing is due: a step that waited for the one before it is due once that one is done.
          // Failed and held steps moved their time forward, so every round makes progress.
          if (!inFlight.size) break;
          await Promise.race(inFlight);
        }
      }
    } finally {
      await Promise.all(inFlight);
    }
    if (failures.length) throw failures[0];
    return counts;
  };
  const pass = () => {
    if (stopped) return;
    if (running) {
      again = true;
      return;
    }
    running = runDue()
      .catch((e) => opts.log.error({ err: e }, "campaign steps pass failed; will retry"))
      .finally(() => {
        running = null;
        if (again) {
          again = false;
          pass();
        }
      });
  };
  return {
    runDue,
    start() {
      timer = setInterval(pass, opts.pollMs ?? stepExecutorDefaults.pollMs);
      pass();
    },
    wake: pass,
    async stop() {
      stopped = true;
      if (timer) clearInterval(timer);
      await running;
    },
  };
}
