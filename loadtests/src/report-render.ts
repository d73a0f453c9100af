import { machineName, processesAndMachine } from "./cpu-shares.ts";
import {
  type BenchFigures,
  ceilingBarPct,
  keepUpDrainFloorSec,
  keepUpDrainShare,
  type LedgerFigures,
  type LedgerVerified,
  type PhaseFigures,
  type ProcessCpu,
  rawBarPct,
  singleVsCeilingByCpuPct,
  verdicts,
} from "./report.ts";
import type { ProcessMemory } from "./rss.ts";

const n0 = (n: number) => Math.round(n).toLocaleString("en-US");
const n1 = (n: number) => n.toLocaleString("en-US", { maximumFractionDigits: 1, minimumFractionDigits: 1 });
const n3 = (n: number | null) => (n === null ? "n/a" : n.toFixed(3));
const pct = (n: number | null) => (n === null ? "n/a" : `${n1(n)} %`);
const yes = (b: boolean | null) => (b === null ? "n/a" : b ? "yes" : "NO");
const mb = (m: ProcessMemory | null) =>
  m ? `${n1(m.peakBytes / 2 ** 20)} MB peak (pid ${m.pid}, now ${n1(m.currentBytes / 2 ** 20)} MB)` : "n/a";

function statusLine(phase: PhaseFigures): string {
  const statuses =
    Object.entries(phase.load.statuses)
      .map(([code, count]) => `${code}×${n0(count)}`)
      .join(" ") || "-";
  return `${statuses}; ${n0(phase.load.errors)} connection errors (${n0(phase.load.timeouts)} timeouts)`;
}

function ledgerRows(prefix: string, ledger: LedgerFigures | null): [string, string][] {
  if (!ledger) return [];
  return [
    [
      `${prefix} ledger backlog`,
      `peak ${n0(ledger.peakBacklogDuringLoad)} owed during the load, ${n0(ledger.behindAtLoadEnd)} at its end`,
    ],
    [
      `${prefix} ledger applied`,
      `${n0(ledger.appliedPerSec)} tx/s${ledger.drained ? "" : " (lower bound)"}; ${
        ledger.drained ? `drained ${n1(ledger.drainSeconds)} s after the load` : `NOT drained: ${ledger.note ?? ""}`
      }; keeps up: ${yes(ledger.keepsUp)}`,
    ],
  ];
}

function phaseRows(name: string, phase: PhaseFigures, unit: string, cpuProcess: string): [string, string][] {
  const { load } = phase;
  return [
    [
      name,
      `${n0(phase.acceptedPerSec)} tx/s accepted (${n0(load.acceptedItems)} in ${n1(load.durationSec)} s, ${n0(phase.requestsPerSec)} ${unit}/s)`,
    ],
    [`${name} answers`, statusLine(phase)],
    [
      `${name} latency`,
      `p50 ${load.latencyMs.p50} / p90 ${load.latencyMs.p90} / p99 ${load.latencyMs.p99} ms (max ${load.latencyMs.max})`,
    ],
    [
      `${name} ${cpuProcess} CPU`,
      `${n3(phase.gatewayCpuMsPerRequest)} ms per request, ${n3(phase.gatewayCpuMsPerTransaction)} ms per transaction`,
    ],
    ...(phase.cpu.some((p) => p.cores !== null && p.name !== machineName)
      ? [[`${name} CPU by process`, cpuByProcess(phase.cpu)] as [string, string]]
      : []),
  ];
}

function capacityRows(f: BenchFigures): [string, string][] {
  const c = f.ledgerCapacity;
  if (!c) return [];
  const v = verdicts(f);
  return [
    [
      "ledger capacity",
      `${n0(c.appliedPerSec)} tx/s applied by ${c.workers} worker process(es), draining the ${n0(c.backlog)} left by the loads above ${
        c.drained ? `in ${n1(c.seconds)} s` : `(NOT drained: ${c.note ?? ""})`
      }`,
    ],
    ...(c.cpu.length ? [["ledger capacity CPU", cpuByProcess(c.cpu)] as [string, string]] : []),
    [
      "ledger vs gateway",
      `applies the single POST rate: ${yes(v.ledgerAppliesSingleRate)}; the batch rate: ${yes(v.ledgerAppliesBatchRate)}`,
    ],
  ];
}

/**
 * "ledger-1 0.52 cores (0.148 ms/tx), ...; 1.63 cores in these processes, the machine 1.98 (0.35 in none of them)":
 * the busiest first, the idle left out.
 */
function cpuByProcess(cpu: ProcessCpu[]): string {
  const { processes, ofProcesses, machine, unaccounted } = processesAndMachine(cpu);
  const each = processes
    .filter((p): p is typeof p & { cores: number } => p.cores !== null && p.cores >= 0.005)
    .sort((a, b) => b.cores - a.cores)
    .map((p) => `${p.name} ${p.cores.toFixed(2)} cores (${n3(p.msPerTransaction)} ms/tx)`);
  const whole =
    machine === null ? "" : `, the machine ${machine.toFixed(2)} (${unaccounted!.toFixed(2)} in none of them)`;
  return `${each.join(", ")}; ${ofProcesses.toFixed(2)} cores in these processes${whole}`;
}

export function renderTable(f: BenchFigures): string {
  const v = verdicts(f);
  const alone = f.ledgerCapacity ? " (gateway alone)" : "";
  const rows: [string, string][] = [["system", f.system]];
  if (f.ceiling)
    rows.push([
      "HTTP ceiling",
      `${n0(f.ceiling.perSec)} req/s: a trivial Hono route answering 202 on the same stack, own process, ${f.connections} connections; CPU ${n3(f.ceiling.cpuMsPerRequest)} ms per request`,
    ]);
  rows.push(...phaseRows(`single POST${alone}`, f.single, "requests", f.cpuProcess));
  rows.push([
    "single vs ceiling",
    `${pct(f.singleVsCeilingPct)} of the HTTP ceiling (bar ${ceilingBarPct} %: ${yes(v.meetsCeilingBar)})`,
  ]);
  const byCpu = singleVsCeilingByCpuPct(f);
  if (byCpu !== null)
    rows.push([
      "single vs ceiling, CPU",
      `${pct(byCpu)}: the ceiling route's ${n3(f.ceiling!.cpuMsPerRequest)} ms of CPU per request against the gateway's ${n3(f.single.gatewayCpuMsPerRequest)} ms (the share with a core each and load to spare)`,
    ]);
  rows.push(...ledgerRows("single", f.single.ledger));
  if (f.batch) {
    rows.push(...phaseRows(`batch POST ×${f.batch.batchSize}${alone}`, f.batch, "batches", f.cpuProcess));
    rows.push([
      "batch vs raw",
      `${pct(f.batchVsRawPct)} of the raw publish rate (bar ${rawBarPct} %: ${yes(v.meetsRawBar)}), ${f.batch.connections} connections`,
    ]);
    rows.push(...ledgerRows("batch", f.batch.ledger));
  }
  rows.push([
    "raw JetStream publish",
    f.raw
      ? `${n0(f.raw.perSec)} msg/s (${n0(f.raw.messages)} msgs of ${n0(f.raw.avgBytes)} B in ${n1(f.raw.seconds)} s, 256 in flight)`
      : "n/a",
  ]);
  rows.push(...capacityRows(f));
  if (f.pipeline) {
    rows.push(...phaseRows("pipeline POST (ledger running)", f.pipeline, "requests", f.cpuProcess));
    rows.push(...ledgerRows("pipeline", f.pipeline.ledger));
  }
  rows.push([
    "ledger keeps up",
    `${yes(v.ledgerKeepsUp)} (each load drained within max(${keepUpDrainFloorSec} s, ${keepUpDrainShare * 100} % of its time)${f.ledgerCapacity ? "; capacity ≥ each accepted rate" : ""})`,
  ]);
  rows.push(["ledger counted by", f.ledgerSource]);
  if (f.ledgerVerified) rows.push(["ledger verified in Postgres", verifiedLine(f.ledgerVerified)]);
  if (f.ceiling) rows.push(["peak RSS http-ceiling", mb(f.ceiling.memory)]);
  for (const p of f.memory) rows.push([`peak RSS ${p.name}`, mb(p.memory)]);
  rows.push(["peak RSS bench", `${n1(f.benchPeakBytes / 2 ** 20)} MB`]);
  const width = Math.max(...rows.map(([k]) => k.length));
  return rows.map(([k, val]) => `${k.padEnd(width)}  ${val}`).join("\n");
}

const round = (n: number | null, digits = 1) => (n === null ? null : Math.round(n * 10 ** digits) / 10 ** digits);

const phaseJson = (p: PhaseFigures) => ({
  seconds: round(p.load.durationSec, 2),
  sent: p.load.sent,
  acceptedRequests: p.load.accepted,
  accepted: p.load.acceptedItems,
  acceptedPerSec: round(p.acceptedPerSec),
  requestsPerSec: round(p.requestsPerSec),
  statuses: p.load.statuses,
  errors: p.load.errors,
  timeouts: p.load.timeouts,
  latencyMs: p.load.latencyMs,
  avgBodyBytes: p.load.avgBodyBytes,
  gatewayCpuMsPerRequest: round(p.gatewayCpuMsPerRequest, 4),
  gatewayCpuMsPerTransaction: round(p.gatewayCpuMsPerTransaction, 4),
  cpu: p.cpu.map((c) => ({ name: c.name, cores: round(c.cores, 3), msPerTransaction: round(c.msPerTransaction, 4) })),
  ledger: p.ledger && {
    ...p.ledger,
    drainSeconds: round(p.ledger.drainSeconds, 2),
    appliedPerSec: round(p.ledger.appliedPerSec),
  },
});

/** Every figure on one line, for CI logs and `jq`. */
export function toJsonLine(f: BenchFigures): string {
  const memory = (m: ProcessMemory | null) =>
    m ? { pid: m.pid, peakRssBytes: m.peakBytes, rssBytes: m.currentBytes } : null;
  return JSON.stringify({
    system: f.system,
    cpuProcess: f.cpuProcess,
    gatewayUrl: f.gatewayUrl,
    namespace: f.namespace,
    connections: f.connections,
    ledgerSource: f.ledgerSource,
    ledgerVerified: f.ledgerVerified,
    ceiling: f.ceiling && {
      perSec: round(f.ceiling.perSec),
      cpuMsPerRequest: round(f.ceiling.cpuMsPerRequest, 4),
      latencyMs: f.ceiling.load.latencyMs,
    },
    single: phaseJson(f.single),
    batch: f.batch && { ...phaseJson(f.batch), batchSize: f.batch.batchSize, connections: f.batch.connections },
    ledgerCapacity: f.ledgerCapacity && {
      ...f.ledgerCapacity,
      seconds: round(f.ledgerCapacity.seconds, 2),
      appliedPerSec: round(f.ledgerCapacity.appliedPerSec),
    },
    pipeline: f.pipeline && phaseJson(f.pipeline),
    raw: f.raw ? { ...f.raw, seconds: round(f.raw.seconds, 2), perSec: round(f.raw.perSec) } : null,
    singleVsCeilingPct: round(f.singleVsCeilingPct),
    singleVsCeilingByCpuPct: round(singleVsCeilingByCpuPct(f)),
    ceilingBarPct,
    batchVsRawPct: round(f.batchVsRawPct),
    rawBarPct,
    ...verdicts(f),
    memory: {
      ...Object.fromEntries(f.memory.map((p) => [p.name, memory(p.memory)])),
      ...(f.ceiling ? { "http-ceiling": memory(f.ceiling.memory) } : {}),
      bench: { pid: process.pid, peakRssBytes: f.benchPeakBytes },
    },
  });
}

/**
 * What the ledger's tables hold against what the run's stream stored: every stored transaction must be there (a
 * shortfall is named, never rounded away). The stream also holds some posted as a load stopped, whose answers the
 * load did not wait for, so it may hold more than were answered 202, never fewer.
 */
export function verifiedLine({ accepted, stored, found }: LedgerVerified): string {
  const n = (x: number) => x.toLocaleString("en-US");
  const ofStored = `${n(found)} of the ${n(stored)} transactions stored on the stream applied or rejected`;
  const held =
    found < stored
      ? `${ofStored}: ${n(stored - found)} MISSING`
      : found > stored
        ? `${ofStored}: ${n(found - stored)} more than stored`
        : `${ofStored}: all`;
  if (stored < accepted) return `${held}; ${n(accepted - stored)} answered 202 are not on the stream`;
  return `${held} (${n(accepted)} answered 202, ${n(stored - accepted)} posted as the loads stopped)`;
}
