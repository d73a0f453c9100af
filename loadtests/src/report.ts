import type { DrainResult } from "./drain.ts";
import type { LoadResult } from "./load.ts";
import type { RawPublishResult } from "./raw-publish.ts";
import type { ProcessMemory } from "./rss.ts";

/** The gateway should reach this share of what one Node process can publish to JetStream raw. */
export const rawBarPct = 60;
/**
 * The ledger keeps up when what is left at load end is gone within this share of the load time (or 1 s):
 * applied tx/s is then ≥ ~95 % of accepted tx/s. The slack covers the 250 ms poll and the batch in flight.
 */
export const keepUpDrainShare = 0.05;
export const keepUpDrainFloorSec = 1;

export interface BenchFigures {
  gatewayUrl: string;
  namespace: string;
  connections: number;
  load: LoadResult;
  acceptedPerSec: number;
  ledger: {
    backlogAtStart: number;
    peakBacklogDuringLoad: number;
    /** The load's messages not yet applied when the load stopped. */
    behindAtLoadEnd: number;
    drained: boolean;
    drainSeconds: number;
    remaining: number;
    /** accepted / (load duration + drain time); a lower bound when not drained. */
    appliedPerSec: number;
    keepsUp: boolean;
    note?: string;
  };
  raw: RawPublishResult | null;
  acceptedVsRawPct: number | null;
  meetsRawBar: boolean | null;
  memory: { server: ProcessMemory | null; natsServer: ProcessMemory | null; benchPeakBytes: number };
}

export function ledgerFigures(
  load: LoadResult,
  backlogAtStart: number,
  peak: number,
  drain: DrainResult,
): BenchFigures["ledger"] {
  const applied = Math.max(0, load.accepted - drain.remaining) / (load.durationSec + drain.seconds);
  return {
    backlogAtStart,
    peakBacklogDuringLoad: peak,
    behindAtLoadEnd: drain.atLoadEnd,
    drained: drain.drained,
    drainSeconds: drain.seconds,
    remaining: drain.remaining,
    appliedPerSec: applied,
    keepsUp:
      drain.drained &&
      load.accepted > 0 &&
      drain.seconds <= Math.max(keepUpDrainFloorSec, load.durationSec * keepUpDrainShare),
    ...(drain.reason ? { note: drain.reason } : {}),
  };
}

const n0 = (n: number) => Math.round(n).toLocaleString("en-US");
const n1 = (n: number) => n.toLocaleString("en-US", { maximumFractionDigits: 1, minimumFractionDigits: 1 });
const mb = (m: ProcessMemory | null) =>
  m ? `${n1(m.peakBytes / 2 ** 20)} MB (pid ${m.pid}, now ${n1(m.currentBytes / 2 ** 20)} MB)` : "n/a";
const yes = (b: boolean | null) => (b === null ? "n/a" : b ? "yes" : "NO");

export function renderTable(f: BenchFigures): string {
  const { load, ledger, raw } = f;
  const statuses =
    Object.entries(load.statuses)
      .map(([code, count]) => `${code}×${n0(count)}`)
      .join(" ") || "-";
  const rows: [string, string][] = [
    ["gateway", `${f.gatewayUrl}  (${f.connections} connections, namespace ${f.namespace})`],
    ["load duration", `${n1(load.durationSec)} s, ${n0(load.sent)} requests sent, avg body ${n0(load.avgBodyBytes)} B`],
    ["accepted (2xx)", `${n0(load.accepted)}  →  ${n0(f.acceptedPerSec)} tx/s`],
    ["non-2xx", `${n0(load.non2xx)}   statuses: ${statuses}`],
    ["connection errors", `${n0(load.errors)} (timeouts ${n0(load.timeouts)})`],
    [
      "latency p50/p90/p99",
      `${load.latencyMs.p50} / ${load.latencyMs.p90} / ${load.latencyMs.p99} ms (max ${load.latencyMs.max} ms)`,
    ],
    [
      "ledger backlog",
      `${n0(ledger.backlogAtStart)} at start, peak ${n0(ledger.peakBacklogDuringLoad)} sampled during load, ${n0(ledger.behindAtLoadEnd)} behind at load end`,
    ],
    [
      "ledger drain",
      ledger.drained ? `${n1(ledger.drainSeconds)} s after load stopped` : `NOT drained: ${ledger.note ?? ""}`,
    ],
    ["ledger applied", `${n0(ledger.appliedPerSec)} tx/s${ledger.drained ? "" : " (lower bound)"}`],
    [
      "raw JetStream publish",
      raw
        ? `${n0(raw.perSec)} msg/s (${n0(raw.messages)} msgs of ${n0(raw.avgBytes)} B in ${n1(raw.seconds)} s, 256 in flight)`
        : "n/a",
    ],
    [
      "accepted / raw",
      f.acceptedVsRawPct === null ? "n/a" : `${n1(f.acceptedVsRawPct)} %  (bar ${rawBarPct} %: ${yes(f.meetsRawBar)})`,
    ],
    [
      "ledger keeps up",
      `${yes(ledger.keepsUp)}  (drained within max(${keepUpDrainFloorSec} s, ${keepUpDrainShare * 100} % of the load time))`,
    ],
    ["peak RSS server", mb(f.memory.server)],
    ["peak RSS nats-server", mb(f.memory.natsServer)],
    ["peak RSS bench", `${n1(f.memory.benchPeakBytes / 2 ** 20)} MB`],
  ];
  const width = Math.max(...rows.map(([k]) => k.length));
  return rows.map(([k, v]) => `${k.padEnd(width)}  ${v}`).join("\n");
}

const round = (n: number, digits = 1) => Math.round(n * 10 ** digits) / 10 ** digits;

/** Every figure on one line, for CI logs and `jq`. */
export function toJsonLine(f: BenchFigures): string {
  const memory = (m: ProcessMemory | null) =>
    m ? { pid: m.pid, peakRssBytes: m.peakBytes, rssBytes: m.currentBytes } : null;
  return JSON.stringify({
    gatewayUrl: f.gatewayUrl,
    namespace: f.namespace,
    connections: f.connections,
    loadSeconds: f.load.durationSec,
    sent: f.load.sent,
    accepted: f.load.accepted,
    acceptedPerSec: round(f.acceptedPerSec),
    non2xx: f.load.non2xx,
    statuses: f.load.statuses,
    errors: f.load.errors,
    timeouts: f.load.timeouts,
    latencyMs: f.load.latencyMs,
    avgBodyBytes: f.load.avgBodyBytes,
    ledger: {
      ...f.ledger,
      drainSeconds: round(f.ledger.drainSeconds, 2),
      appliedPerSec: round(f.ledger.appliedPerSec),
    },
    raw: f.raw ? { ...f.raw, seconds: round(f.raw.seconds, 2), perSec: round(f.raw.perSec) } : null,
    acceptedVsRawPct: f.acceptedVsRawPct === null ? null : round(f.acceptedVsRawPct),
    rawBarPct,
    meetsRawBar: f.meetsRawBar,
    memory: {
      server: memory(f.memory.server),
      natsServer: memory(f.memory.natsServer),
      bench: { pid: process.pid, peakRssBytes: f.memory.benchPeakBytes },
    },
  });
}
