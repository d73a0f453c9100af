import type { Db } from "@regulars/db";
import type { Logger } from "@regulars/logger";
import type { Resolve } from "@regulars/messaging-providers";
import { type DisablePolicy, type EndpointUrlPolicy, type RetrySchedule, strictUrlPolicy } from "@regulars/webhooks";
import {
  type ClaimedDelivery,
  claimDueDeliveries,
  pruneDeliveries,
  type RecordedOutcome,
  recordAttempt,
  recordDelivered,
} from "@regulars/webhooks-store";
import type { Registry } from "prom-client";
import { claimLoop } from "../claim-loop.ts";
import { sharedCounter, sharedHistogram } from "../shared-metrics.ts";
import { postWebhook } from "./post-webhook.ts";

export interface WebhookSenderOptions {
  db: Db;
  log: Logger;
  /** Attempts in flight at once in this process. */
  concurrency?: number;
  /** Attempts in flight to one endpoint: a slow receiver holds at most this many of the slots. */
  perEndpoint?: number;
  /** How long an attempt waits for an answer. */
  timeoutMs?: number;
  /** How often to look for due deliveries when nothing woke the sender. */
  pollMs?: number;
  urlPolicy?: EndpointUrlPolicy;
  /** How receivers' names are resolved: the system's resolver when absent (tests stand in for DNS). */
  resolve?: Resolve;
  /** Only these tenants' deliveries; all when absent. */
  tenantIds?: readonly string[];
  clock?: () => Date;
  random?: () => number;
  schedule?: RetrySchedule;
  disablePolicy?: DisablePolicy;
  registry?: Registry;
}

export const webhookSenderDefaults = { concurrency: 32, perEndpoint: 4, timeoutMs: 10_000, pollMs: 500 };

export interface WebhookSender {
  /** Claims what is due now (up to the free slots) and resolves once those attempts are recorded; how many. */
  sendDue(): Promise<number>;
  /** Looks for due deliveries now rather than at the next poll (new ones were enqueued). */
  wake(): void;
  /** Sends continuously until stopped. */
  start(): void;
  stop(): Promise<void>;
}

function senderMetrics(registry: Registry | undefined) {
  if (!registry) return null;
  const attempts = sharedCounter(registry, {
    name: "regulars_webhook_attempts_total",
    help: "Webhook delivery attempts by outcome (delivered|retrying|failed|stale)",
    labelNames: ["outcome"],
  });
  const seconds = sharedHistogram(registry, {
    name: "regulars_webhook_attempt_seconds",
    help: "How long a webhook receiver took to answer (or to time out)",
    buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
  });
  return { attempts, seconds };
}

/**
 * Sends webhook deliveries out of Postgres, apart from the stream consumers (which only enqueue): attempts run
 * with a timeout each, at most `concurrency` at once and `perEndpoint` per endpoint, so a slow or dead receiver
 * delays nobody else. Several processes may run one: claims never overlap.
 */
export function createWebhookSender(opts: WebhookSenderOptions): WebhookSender {
  const { db, log } = opts;
  const settings = { ...webhookSenderDefaults, ...definedOf(opts) };
  const clock = opts.clock ?? (() => new Date());
  const metrics = senderMetrics(opts.registry);
  const inFlight = new Map<string, number>();
  /** Every attempt until recorded (stop and sendDue wait for them); `sending`: those with a request open. */
  const attempts = new Set<Promise<void>>();
  let sending = 0;
  let lastPrune = 0;

  // Successes that finish together are recorded in one statement (the flush after the current I/O events);
  // each attempt resolves once its own is recorded.
  let successes: { claimed: ClaimedDelivery; statusCode: number; recorded: (outcome: RecordedOutcome) => void }[] = [];
  let flushScheduled = false;
  const flushSuccesses = async () => {
    while (successes.length) {
      const batch = successes;
      successes = [];
      const recorded = await recordDelivered(db, batch, clock()).catch((e: unknown) => {
        log.warn({ err: e, count: batch.length }, "recording webhook deliveries failed; they are sent again later");
        return new Set<string>();
      });
      for (const s of batch) s.recorded(recorded.has(s.claimed.id) ? "delivered" : "stale");
    }
  };
  const scheduleFlush = () => {
    if (flushScheduled) return;
    flushScheduled = true;
    setImmediate(() =>
      flushSuccesses().finally(() => {
        flushScheduled = false;
        if (successes.length) scheduleFlush();
      }),
    );
  };
  const recordSuccess = (claimed: ClaimedDelivery, statusCode: number) =>
    new Promise<RecordedOutcome>((recorded) => {
      successes.push({ claimed, statusCode, recorded });
      scheduleFlush();
    });

  /** `sent` frees the slot as soon as the request is over: recording needs no slot (the claim's lease holds). */
  const attempt = async (delivery: ClaimedDelivery, sent: () => void) => {
    const started = performance.now();
    const result = await postWebhook(delivery, {
      timeoutMs: settings.timeoutMs,
      urlPolicy: opts.urlPolicy ?? strictUrlPolicy,
      now: clock(),
      ...(opts.resolve ? { resolve: opts.resolve } : {}),
    }).finally(sent);
    metrics?.seconds.observe((performance.now() - started) / 1000);
    if (result.ok) {
      const outcome = await recordSuccess(delivery, result.statusCode);
      metrics?.attempts.inc({ outcome });
      return;
    }
    const outcome = await recordAttempt(db, delivery, result, {
      now: clock(),
      random: opts.random,
      schedule: opts.schedule,
      disablePolicy: opts.disablePolicy,
    });
    metrics?.attempts.inc({ outcome });
  };

  const track = (delivery: ClaimedDelivery) => {
    inFlight.set(delivery.endpointId, (inFlight.get(delivery.endpointId) ?? 0) + 1);
    sending++;
    const sent = () => {
      const left = (inFlight.get(delivery.endpointId) ?? 1) - 1;
      if (left > 0) inFlight.set(delivery.endpointId, left);
      else inFlight.delete(delivery.endpointId);
      sending--;
      loop.wake();
    };
    const running = attempt(delivery, sent)
      .catch((e) => log.warn({ err: e, deliveryId: delivery.id }, "recording a webhook attempt failed; it is retried"))
      .finally(() => attempts.delete(running));
    attempts.add(running);
    return running;
  };

  const claimAndStart = async (): Promise<Promise<void>[]> => {
    const free = settings.concurrency - sending;
    if (free <= 0) return [];
    const claimed = await claimDueDeliveries(db, {
      now: clock(),
      limit: free,
      leaseMs: settings.timeoutMs + 30_000,
      perEndpoint: settings.perEndpoint,
      inFlight,
      tenantIds: opts.tenantIds,
    });
    return claimed.map(track);
  };

  const loop = claimLoop({
    concurrency: settings.concurrency,
    pollMs: settings.pollMs,
    busy: () => sending,
    claimAndStart: async () => (await claimAndStart()).length,
    upkeep: async () => {
      if (Date.now() - lastPrune <= 3_600_000) return;
      lastPrune = Date.now();
      await pruneDeliveries(db, clock(), { tenantIds: opts.tenantIds });
    },
    onError: (e) => log.warn({ err: e }, "looking for due webhook deliveries failed; will retry"),
  });

  return {
    async sendDue() {
      const started = await claimAndStart();
      await Promise.all(started);
      return started.length;
    },
    wake: () => loop.wake(),
    start: () => loop.start(),
    async stop() {
      await loop.stop();
      await Promise.all(attempts);
    },
  };
}

function definedOf(opts: WebhookSenderOptions) {
  const { concurrency, perEndpoint, timeoutMs, pollMs } = opts;
  return Object.fromEntries(
    Object.entries({ concurrency, perEndpoint, timeoutMs, pollMs }).filter(([, v]) => v !== undefined),
  ) as Partial<typeof webhookSenderDefaults>;
}
