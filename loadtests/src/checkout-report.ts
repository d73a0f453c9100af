import type { AdminGeneration, PureGeneration } from "./checkout-codes.ts";
import type { RateRun } from "./checkout-run.ts";
import { percentile } from "./latency-stats.ts";
import type { ProcessMemory } from "./rss.ts";

/** The bars: quote p99 under 20 ms at 200 quotes/s; 100,000 unique codes generated and stored within 5 s. */
export const quoteBar = { rate: 200, p99Ms: 20 };
export const codesBar = { count: 100_000, ms: 5_000 };
/** A load counts as held at its rate when the arrivals reached this share of it. */
export const achievedShare = 0.95;

export interface CheckoutFigures {
  system: string;
  customers: number;
  seedSeconds: number;
  holdPoints: number;
  couponCode: string;
  redemption: "set" | "kept";
  quotes: RateRun[];
  /** Where the quotes were asked (`--quotes-via`): the gateway's route or the API's tRPC procedure. */
  quotesVia: "gateway" | "api";
  holds: RateRun | null;
  /** Voiding the holds that were placed, at the hold rate. */
  voids: RateRun | null;
  pureCodes: PureGeneration | null;
  adminCodes: AdminGeneration | null;
  memory: { name: string; memory: ProcessMemory | null }[];
  benchPeakBytes: number;
}

/** Answers by kind: 2xx, 409 (refused holds: counted apart, they are an answer, not a failure), other. */
export function answerCounts(statuses: Record<string, number>): { ok: number; conflicts: number; other: number } {
  let ok = 0;
  let conflicts = 0;
  let other = 0;
  for (const [code, count] of Object.entries(statuses)) {
    const status = Number(code);
    if (status >= 200 && status < 300) ok += count;
    else if (status === 409) conflicts += count;
    else other += count;
  }
  return { ok, conflicts, other };
}

/** Every request answered 2xx, the planned rate held, and p99 under `p99Ms`. */
export function meetsLatency(run: RateRun, p99Ms: number): boolean | null {
  if (run.latencyMs.p99 === null) return null;
  const { conflicts, other } = answerCounts(run.statuses);
  return (
    run.errors === 0 &&
    conflicts + other === 0 &&
    run.achievedRate >= run.plannedRate * achievedShare &&
    run.latencyMs.p99 < p99Ms
  );
}

/** The quote bar, judged on the load at 200 quotes/s; null when none ran at that rate. */
export function meetsQuoteBar(quotes: readonly RateRun[]): boolean | null {
  const run = quotes.find((q) => q.plannedRate === quoteBar.rate);
  return run ? meetsLatency(run, quoteBar.p99Ms) : null;
}

/** The codes bar, judged on what the admin waits for 100,000 codes (or more); null when not measured. */
export function meetsCodesBar(admin: AdminGeneration | null): boolean | null {
  if (!admin || admin.count < codesBar.count) return null;
  return admin.inserted === admin.count && admin.roundTripMs < codesBar.ms;
}

export const medianMs = (runsMs: readonly number[]): number | null => percentile(runsMs, 50);

const n0 = (n: number) => Math.round(n).toLocaleString("en-US");
const ms = (n: number | null) => (n === null ? "n/a" : `${n.toFixed(1)} ms`);
const yes = (b: boolean | null) => (b === null ? "n/a" : b ? "yes" : "NO");
const cpu = (n: number | null) => (n === null ? "n/a" : `${n.toFixed(2)} ms`);
const mb = (bytes: number) => `${(bytes / 2 ** 20).toFixed(1)} MB`;

function runRows(name: string, run: RateRun, server = "gateway"): [string, string][] {
  const { ok, conflicts, other } = answerCounts(run.statuses);
  const statuses =
    Object.entries(run.statuses)
      .map(([code, count]) => `${code}×${n0(count)}`)
      .join(" ") || "-";
  const d = run.latencyMs;
  return [
    [
      name,
      `${n0(run.achievedRate)}/s sent of ${n0(run.plannedRate)}/s planned (${n0(run.sent)} in ${run.seconds.toFixed(1)} s, after ${run.warmupSec} s of warm-up); ${n0(run.answeredRate)}/s answered`,
    ],
    [
      "  latency",
      `p50 ${ms(d.p50)} / p90 ${ms(d.p90)} / p99 ${ms(d.p99)} (max ${ms(d.max)}, n=${n0(d.count)}); ${server} CPU ${cpu(run.cpuMsPerRequest)} per request`,
    ],
    [
      "  answers",
      `${statuses}: ${n0(ok)} 2xx, ${n0(conflicts)} 409, ${n0(other)} other non-2xx, ${n0(run.errors)} without an answer${run.firstError ? ` (first: ${run.firstError})` : ""}`,
    ],
  ];
}

export function renderCheckout(f: CheckoutFigures): string {
  const rows: [string, string][] = [
    ["system", f.system],
    [
      "seed",
      `${n0(f.customers)} members with points in ${f.seedSeconds.toFixed(1)} s; coupon ${f.couponCode} (10 % off); redemption rate ${f.redemption === "set" ? "set by the bench" : "the tenant's own"}`,
    ],
  ];
  for (const q of f.quotes) {
    const via = f.quotesVia === "api" ? " (tRPC)" : "";
    rows.push(...runRows(`quotes at ${n0(q.plannedRate)}/s${via}`, q, f.quotesVia === "api" ? "API" : "gateway"));
    rows.push([`  p99 < ${quoteBar.p99Ms} ms`, yes(meetsLatency(q, quoteBar.p99Ms))]);
  }
  if (f.holds) rows.push(...runRows(`holds (${f.holdPoints} points + coupon)`, f.holds));
  if (f.voids) rows.push(...runRows("voids of those holds", f.voids));
  if (f.pureCodes) {
    const runs = f.pureCodes.runsMs.map((r) => ms(r)).join(", ");
    rows.push([
      `${n0(f.pureCodes.count)} codes, generation`,
      `median ${ms(medianMs(f.pureCodes.runsMs))} (runs: ${runs}): generateCodes alone, in the bench process`,
    ]);
  }
  if (f.adminCodes)
    rows.push([
      `${n0(f.adminCodes.count)} codes, stored`,
      `${ms(f.adminCodes.roundTripMs)} for coupons.generateCodes through the API (server: ${ms(f.adminCodes.serverMs)} generating and inserting ${n0(f.adminCodes.inserted)})`,
    ]);
  rows.push(
    [`bar quotes p99 < ${quoteBar.p99Ms} ms at ${quoteBar.rate}/s`, yes(meetsQuoteBar(f.quotes))],
    [`bar ${n0(codesBar.count)} codes < ${codesBar.ms / 1_000} s`, yes(meetsCodesBar(f.adminCodes))],
    ...f.memory.map((p): [string, string] => [
      `peak RSS ${p.name}`,
      p.memory ? `${mb(p.memory.peakBytes)} (pid ${p.memory.pid})` : "n/a",
    ]),
    ["peak RSS bench", `${mb(f.benchPeakBytes)} (the requests, the seed and the code generation run here)`],
  );
  const width = Math.max(...rows.map(([k]) => k.length));
  return rows.map(([k, v]) => `${k.padEnd(width)}  ${v}`).join("\n");
}

const runJson = (run: RateRun | null) =>
  run && {
    plannedRate: run.plannedRate,
    achievedRate: Math.round(run.achievedRate * 10) / 10,
    answeredRate: Math.round(run.answeredRate * 10) / 10,
    sent: run.sent,
    seconds: Math.round(run.seconds * 10) / 10,
    statuses: run.statuses,
    ...answerCounts(run.statuses),
    errors: run.errors,
    latencyMs: run.latencyMs,
    cpuMsPerRequest: run.cpuMsPerRequest,
  };

export function toCheckoutJson(f: CheckoutFigures, benchPid: number): string {
  return JSON.stringify({
    system: f.system,
    customers: f.customers,
    seedSeconds: Math.round(f.seedSeconds * 10) / 10,
    quotes: f.quotes.map(runJson),
    quotesVia: f.quotesVia,
    holds: runJson(f.holds),
    holdPoints: f.holdPoints,
    voids: runJson(f.voids),
    codes: {
      pure: f.pureCodes && { ...f.pureCodes, medianMs: medianMs(f.pureCodes.runsMs) },
      admin: f.adminCodes,
    },
    bars: {
      quote: { ...quoteBar, met: meetsQuoteBar(f.quotes) },
      codes: { ...codesBar, met: meetsCodesBar(f.adminCodes) },
    },
    memory: {
      ...Object.fromEntries(
        f.memory.map((p) => [p.name, p.memory && { pid: p.memory.pid, peakRssBytes: p.memory.peakBytes }]),
      ),
      bench: { pid: benchPid, peakRssBytes: f.benchPeakBytes },
    },
  });
}
