import { processesAndMachine } from "./cpu-shares.ts";
import type { LatencyRunResult } from "./latency-run.ts";
import { type Distribution, visibleWindowSec } from "./latency-stats.ts";
import type { ProcessMemory } from "./rss.ts";

/** The bar: 99 % of transactions visible through the API within this. */
export const latencyBarMs = 1_000;

export interface LatencyFigures {
  system: string;
  pollMs: number;
  result: LatencyRunResult;
  memory: { name: string; memory: ProcessMemory | null }[];
  /** Cores each process kept busy while the measured arrivals were sent; empty where /proc cannot be read. */
  cores: { name: string; cores: number | null }[];
  machineCores: number;
  benchPeakBytes: number;
}

/**
 * "gateway 0.31, ledger-1 0.30, …; 1.85 of 2 cores; the machine 1.97 (0.12 in none of them)": who had the CPU
 * while the measured arrivals were sent.
 */
export function renderCores(cores: LatencyFigures["cores"], machineCores: number): string {
  const { processes, ofProcesses, machine, unaccounted } = processesAndMachine(cores);
  const known = processes.filter((c): c is { name: string; cores: number } => c.cores !== null);
  if (!known.length) return "n/a";
  const whole =
    machine === null ? "" : `; the machine ${machine.toFixed(2)} (${unaccounted!.toFixed(2)} in none of them)`;
  return `${known.map((c) => `${c.name} ${c.cores.toFixed(2)}`).join(", ")}; ${ofProcesses.toFixed(2)} of ${machineCores} cores${whole}`;
}

/** Met only when every measured transaction was timed and the p99 of those is under the bar. */
export function meetsLatencyBar(r: LatencyRunResult): boolean | null {
  if (r.visibleMs.p99 === null) return null;
  return r.notVisible === 0 && r.visibleMs.p99 < latencyBarMs;
}

const n0 = (n: number) => Math.round(n).toLocaleString("en-US");
const ms = (n: number | null) => (n === null ? "n/a" : `${n0(n)} ms`);
const dist = (d: Distribution) =>
  `p50 ${ms(d.p50)} / p90 ${ms(d.p90)} / p99 ${ms(d.p99)} (max ${ms(d.max)}, n=${n0(d.count)})`;
const yes = (b: boolean | null) => (b === null ? "n/a" : b ? "yes" : "NO");

/** "0–10 s p99 2,920 (max 3,476); 10–20 s p99 650 (max 869); …": where in the run the tail was. */
export function renderWindows(windows: LatencyRunResult["visibleByWindow"]): string {
  if (!windows.length) return "n/a";
  return windows
    .map((w) => `${w.fromSec}–${w.fromSec + visibleWindowSec} s p99 ${n0(w.ms.p99 ?? 0)} (max ${n0(w.ms.max ?? 0)})`)
    .join("; ");
}

/** "202×1,200 429×80; 3 without an answer": every POST's answer, so refusals cannot pass for throughput. */
export function renderPostAnswers(r: LatencyRunResult): string {
  const statuses =
    Object.entries(r.statuses)
      .map(([code, count]) => `${code}×${n0(count)}`)
      .join(" ") || "-";
  return `${statuses}; ${n0(r.postErrors)} without an answer`;
}

/**
 * One line of ingestion under a background load (bench:campaigns' before and during): the throughput is of
 * accepted (202) transactions only, with every answer beside it.
 */
export function ingestionLine(label: string, r: LatencyRunResult): string {
  const accepted = r.statuses["202"] ?? 0;
  const perSec = accepted / (r.postingSeconds || 1);
  return `${label}: ${n0(accepted)} of ${n0(r.sent)} tx accepted, ${perSec.toFixed(1)}/s (${renderPostAnswers(r)}); POST p50 ${ms(r.postMs.p50)} p99 ${ms(r.postMs.p99)}; visible p50 ${ms(r.visibleMs.p50)} p99 ${ms(r.visibleMs.p99)} (${n0(r.visibleMs.count)} measured, ${n0(r.notVisible)} not visible)`;
}

export function renderLatency(f: LatencyFigures): string {
  const r = f.result;
  const rows: [string, string][] = [
    ["system", f.system],
    [
      "arrivals",
      `${n0(r.achievedRate)} tx/s achieved of ${n0(r.plannedRate)} planned (${n0(r.sent)} in ${r.postingSeconds.toFixed(1)} s)`,
    ],
    ["POST answers", renderPostAnswers(r)],
    ["POST latency", dist(r.postMs)],
    ["POST → visible", dist(r.visibleMs)],
    ["visible by 10 s", renderWindows(r.visibleByWindow)],
    ["measured", `${n0(r.measured)} transactions with a new customer; ${n0(r.notVisible)} never visible (or refused)`],
    [
      "resolution",
      `a balance is read every ${f.pollMs} ms, or every tenth of its wait when longer: a figure is at most max(${f.pollMs} ms, 10 %) above the true time`,
    ],
    ["bar p99 < 1 s", `${yes(meetsLatencyBar(r))}`],
    ["CPU while posting", renderCores(f.cores, f.machineCores)],
    ...f.memory.map((p): [string, string] => [
      `peak RSS ${p.name}`,
      p.memory ? `${(p.memory.peakBytes / 2 ** 20).toFixed(1)} MB (pid ${p.memory.pid})` : "n/a",
    ]),
    ["peak RSS bench", `${(f.benchPeakBytes / 2 ** 20).toFixed(1)} MB`],
  ];
  const width = Math.max(...rows.map(([k]) => k.length));
  return rows.map(([k, v]) => `${k.padEnd(width)}  ${v}`).join("\n");
}

export function toLatencyJson(f: LatencyFigures): string {
  const r = f.result;
  return JSON.stringify({
    system: f.system,
    plannedRate: r.plannedRate,
    warmupSeconds: r.warmupSeconds,
    achievedRate: Math.round(r.achievedRate),
    sent: r.sent,
    statuses: r.statuses,
    postErrors: r.postErrors,
    postMs: r.postMs,
    visibleMs: r.visibleMs,
    visibleByWindow: r.visibleByWindow,
    measured: r.measured,
    notVisible: r.notVisible,
    pollMs: f.pollMs,
    pollErrors: r.pollErrors,
    latencyBarMs,
    meetsLatencyBar: meetsLatencyBar(r),
    cores: Object.fromEntries(f.cores.map((c) => [c.name, c.cores === null ? null : Number(c.cores.toFixed(3))])),
    machineCores: f.machineCores,
    memory: {
      ...Object.fromEntries(
        f.memory.map((p) => [p.name, p.memory && { pid: p.memory.pid, peakRssBytes: p.memory.peakBytes }]),
      ),
      bench: { pid: process.pid, peakRssBytes: f.benchPeakBytes },
    },
  });
}
