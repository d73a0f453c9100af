import type { Basket } from "./baskets.ts";
import {
  byWindow,
  type Distribution,
  distribution,
  dueNow,
  plannedArrivals,
  visibleWindowSec,
} from "./latency-stats.ts";
import { postTransaction, readBalance } from "./visibility.ts";

export interface LatencyRunOptions {
  gatewayUrl: string;
  apiUrl: string;
  posKey: string;
  adminKey: string;
  ratePerSec: number;
  /**
   * Seconds of arrivals before the measured ones, not counted: the rate rises from 0 over the first half and then
   * holds, so cold processes settle first and the measured arrivals meet a system in its steady state.
   */
  warmupSec: number;
  durationSec: number;
  measureEvery: number;
  pollMs: number;
  pollBatch: number;
  visibleTimeoutSec: number;
  /** A new basket for an externalId; the measured ones get their customer replaced. */
  nextBasket: (externalId: string) => Basket;
  runId: string;
  signal: AbortSignal;
  progress: (line: string) => void;
  /** Told when the measured arrivals start and when the last of them has been sent. */
  onMeasuredWindow?: (edge: "start" | "end") => void;
}

export interface LatencyRunResult {
  plannedRate: number;
  warmupSeconds: number;
  /** The measured arrivals (after the warm-up): how long they took to send, and how many. */
  postingSeconds: number;
  sent: number;
  achievedRate: number;
  statuses: Record<string, number>;
  postErrors: number;
  postMs: Distribution;
  /** Transactions whose customer's points were polled. */
  measured: number;
  /** POST sent → points visible through customers.get, in ms, of those that became visible. */
  visibleMs: Distribution;
  /** The same by `visibleWindowSec` of measured arrivals (by when the POST was sent). */
  visibleByWindow: { fromSec: number; ms: Distribution }[];
  notVisible: number;
  pollErrors: number;
  firstPollError: string | null;
}

/**
 * A phone no earlier run used: a measured customer must be new, so points on it can only come from the
 * transaction being timed. 5 random digits per run, then a counter; German, whose numbers may be that long.
 */
export function measuredPhone(runSalt: number, n: number): string {
  return `+4969${String(runSalt % 100_000).padStart(5, "0")}${String(n % 1_000_000).padStart(6, "0")}`;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * When to read a balance again that is not visible yet after `ageMs`: every `pollMs`, and no more often than a
 * tenth of its age, so a slow system is not buried in lookups while a figure stays within 10 % (or `pollMs`).
 */
export function nextPollIn(ageMs: number, pollMs: number): number {
  return Math.max(pollMs, ageMs / 10);
}

/**
 * Posts transactions at a fixed rate (open model: arrivals do not wait for answers) and, for every n-th one,
 * which names a new customer, reads the customer's points through tRPC until they show: the time from the
 * POST to what an app would see.
 */
export async function runLatency(opts: LatencyRunOptions): Promise<LatencyRunResult> {
  const rampSec = opts.warmupSec / 2;
  const warmup = plannedArrivals(opts.warmupSec * 1_000, opts.ratePerSec, rampSec);
  const total = warmup + Math.round(opts.ratePerSec * opts.durationSec);
  const salt = Math.floor(Math.random() * 100_000);
  const statuses: Record<string, number> = {};
  const postMs: number[] = [];
  const visibleSamples: { sentSec: number; ms: number }[] = [];
  /**
   * phone → when its transaction's POST was sent, when to read its balance next (performance.now()), and whether
   * it counts (the warm-up's customers are polled the same way, so the API's reads are warm and steady when the
   * measured arrivals start, but their figures are not kept).
   */
  const outstanding = new Map<string, { sentAt: number; nextPollAt: number; counted: boolean }>();
  let phones = 0;
  const inFlight = new Set<Promise<void>>();
  let sent = 0;
  let measured = 0;
  let postErrors = 0;
  let notVisible = 0;
  let pollErrors = 0;
  let firstPollError: string | null = null;

  const send = (i: number) => {
    const counted = i >= warmup;
    if (i === warmup) {
      measuredFrom = performance.now();
      opts.onMeasuredWindow?.("start");
    }
    const measure = (i - warmup) % opts.measureEvery === 0;
    const basket = opts.nextBasket(`latency-${opts.runId}-${i}`);
    const phone = measure ? measuredPhone(salt, phones++) : null;
    if (phone && counted) measured++;
    if (phone) basket.customer = { phone };
    const startedAt = performance.now();
    const done = postTransaction(opts.gatewayUrl, opts.posKey, basket)
      .then((status) => {
        if (counted) statuses[status] = (statuses[status] ?? 0) + 1;
        if (counted) postMs.push(performance.now() - startedAt);
        if (phone && status === 202) outstanding.set(phone, { sentAt: startedAt, nextPollAt: 0, counted });
        else if (phone && counted) notVisible++;
      })
      .catch(() => {
        if (counted) postErrors++;
        if (phone && counted) notVisible++;
      })
      .finally(() => inFlight.delete(done));
    inFlight.add(done);
  };

  const started = performance.now();
  let postingDone = false;
  let sendingSeconds = 0;
  let measuredFrom = started;
  const posting = (async () => {
    let lastReport = started;
    while (sent < total && !opts.signal.aborted) {
      const now = performance.now();
      for (let due = dueNow(now - started, opts.ratePerSec, sent, total, rampSec); due > 0; due--) send(sent++);
      if (now - lastReport >= 1_000) {
        lastReport = now;
        opts.progress(
          `[post ${((now - started) / 1_000).toFixed(0).padStart(3)} s] ${sent} sent, ${inFlight.size} in flight, ${visibleSamples.length} visible, ${outstanding.size} waiting to show`,
        );
      }
      await sleep(5);
    }
    sendingSeconds = (performance.now() - measuredFrom) / 1_000;
    opts.onMeasuredWindow?.("end");
    await Promise.all(inFlight);
    postingDone = true;
  })();

  const visibleTimeoutMs = opts.visibleTimeoutSec * 1_000;
  while (!opts.signal.aborted && (!postingDone || outstanding.size > 0)) {
    const cycle = performance.now();
    const phones = [...outstanding].filter(([, o]) => o.nextPollAt <= cycle).map(([phone]) => phone);
    const chunks: string[][] = [];
    for (let i = 0; i < phones.length; i += opts.pollBatch) chunks.push(phones.slice(i, i + opts.pollBatch));
    await Promise.all(
      chunks.map(async (chunk) => {
        try {
          const balances = await readBalance(opts.apiUrl, opts.adminKey, chunk);
          const seenAt = performance.now();
          for (const phone of chunk) {
            const o = outstanding.get(phone);
            if (!o) continue;
            if ((balances.get(phone) ?? 0) > 0) {
              if (o.counted) visibleSamples.push({ sentSec: (o.sentAt - measuredFrom) / 1_000, ms: seenAt - o.sentAt });
              outstanding.delete(phone);
            } else o.nextPollAt = seenAt + nextPollIn(seenAt - o.sentAt, opts.pollMs);
          }
        } catch (e) {
          pollErrors++;
          firstPollError ??= (e as Error).message;
        }
      }),
    );
    const now = performance.now();
    for (const [phone, { sentAt, counted }] of outstanding)
      if (now - sentAt > visibleTimeoutMs) {
        if (counted) notVisible++;
        outstanding.delete(phone);
      }
    await sleep(Math.max(0, opts.pollMs - (performance.now() - cycle)));
  }
  await posting;
  return {
    plannedRate: opts.ratePerSec,
    warmupSeconds: opts.warmupSec,
    postingSeconds: sendingSeconds,
    sent: sent - warmup,
    achievedRate: (sent - warmup) / (sendingSeconds || 1),
    statuses,
    postErrors,
    postMs: distribution(postMs),
    measured,
    visibleMs: distribution(visibleSamples.map((v) => v.ms)),
    visibleByWindow: byWindow(visibleSamples, visibleWindowSec),
    notVisible,
    pollErrors,
    firstPollError,
  };
}
