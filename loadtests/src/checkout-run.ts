import { type Distribution, distribution, dueNow } from "./latency-stats.ts";
import { readProcessCpuSeconds } from "./rss.ts";

export interface FixedRateOptions {
  /** What the progress lines call the requests ("quote", "hold"). */
  label: string;
  ratePerSec: number;
  /** Arrivals at the same rate before the measured ones, not counted: cold caches and pools settle first. */
  warmupSec: number;
  durationSec: number;
  /** Sends request `i` (0-based over warm-up and measured ones); resolves with the HTTP status once answered. */
  send: (i: number) => Promise<number>;
  /** The process serving the requests (the gateway): its CPU per measured request is reported. */
  cpuPid?: number | null;
  signal: AbortSignal;
  progress: (line: string) => void;
}

/** One load at a fixed arrival rate, over the measured requests (after the warm-up). */
export interface RateRun {
  plannedRate: number;
  warmupSec: number;
  /** How long the measured requests took to send. */
  seconds: number;
  sent: number;
  achievedRate: number;
  /**
   * Measured answers per second, from the first measured arrival to the last answer: what the server kept up
   * with. Below `achievedRate` when it fell behind (and the latency then grows with the length of the load).
   */
  answeredRate: number;
  /** Answers per HTTP status. */
  statuses: Record<string, number>;
  /** Requests without an answer (connection errors, timeouts). */
  errors: number;
  firstError: string | null;
  /** From sending to the answer read, of every answered request, in ms. */
  latencyMs: Distribution;
  /**
   * CPU time (user + system) of `cpuPid` per measured request, in ms: what a request costs the server whatever
   * else shares the cores. Null without a process to read.
   */
  cpuMsPerRequest: number | null;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Sends requests at a fixed rate whether or not the answers keep up (an open model, like tills: a slow answer
 * does not delay the next arrival, so queueing shows in the latency instead of hiding in a lower rate).
 */
export async function runFixedRate(opts: FixedRateOptions): Promise<RateRun> {
  const warmup = Math.round(opts.ratePerSec * opts.warmupSec);
  const total = warmup + Math.round(opts.ratePerSec * opts.durationSec);
  const statuses: Record<string, number> = {};
  const latencies: number[] = [];
  const inFlight = new Set<Promise<void>>();
  let errors = 0;
  let firstError: string | null = null;
  let sent = 0;
  let lastAnswerAt = 0;

  const send = (i: number) => {
    const counted = i >= warmup;
    const startedAt = performance.now();
    const done = opts
      .send(i)
      .then((status) => {
        if (!counted) return;
        lastAnswerAt = performance.now();
        latencies.push(lastAnswerAt - startedAt);
        statuses[status] = (statuses[status] ?? 0) + 1;
      })
      .catch((e: unknown) => {
        if (!counted) return;
        errors++;
        firstError ??= (e as Error).message;
      })
      .finally(() => inFlight.delete(done));
    inFlight.add(done);
  };

  const cpu = () => (opts.cpuPid ? readProcessCpuSeconds(opts.cpuPid) : null);
  const started = performance.now();
  let measuredFrom = warmup === 0 ? started : Number.NaN;
  let cpuFrom = warmup === 0 ? cpu() : null;
  let lastReport = started;
  while (sent < total && !opts.signal.aborted) {
    const now = performance.now();
    for (let due = dueNow(now - started, opts.ratePerSec, sent, total); due > 0; due--) {
      if (sent === warmup) {
        measuredFrom = performance.now();
        cpuFrom = cpu();
      }
      send(sent++);
    }
    if (now - lastReport >= 5_000) {
      lastReport = now;
      const phase = sent <= warmup ? "warm-up" : "measured";
      opts.progress(
        `[${opts.label} ${((now - started) / 1_000).toFixed(0).padStart(3)} s] ${phase}: ${sent} sent, ${inFlight.size} in flight`,
      );
    }
    await sleep(2);
  }
  const seconds = (performance.now() - measuredFrom) / 1_000;
  await Promise.all(inFlight);
  const cpuTo = cpu();
  const measured = Math.max(0, sent - warmup);
  const answerSeconds = (lastAnswerAt - measuredFrom) / 1_000;
  return {
    plannedRate: opts.ratePerSec,
    warmupSec: opts.warmupSec,
    seconds: Number.isFinite(seconds) ? seconds : 0,
    sent: measured,
    achievedRate: measured / (Number.isFinite(seconds) && seconds > 0 ? seconds : 1),
    answeredRate: latencies.length && answerSeconds > 0 ? latencies.length / answerSeconds : 0,
    statuses,
    errors,
    firstError,
    latencyMs: distribution(latencies),
    cpuMsPerRequest: cpuFrom !== null && cpuTo !== null && measured > 0 ? ((cpuTo - cpuFrom) * 1_000) / measured : null,
  };
}
