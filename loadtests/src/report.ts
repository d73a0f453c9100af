import type { DrainResult } from "./drain.ts";
import type { CeilingResult } from "./http-ceiling.ts";
import type { LoadResult } from "./load.ts";
import type { RawPublishResult } from "./raw-publish.ts";
import type { ProcessMemory } from "./rss.ts";

/** Single-transaction POSTs should reach this share of the HTTP ceiling measured in the same run. */
export const ceilingBarPct = 50;
/** The batch endpoint should reach this share of the raw publish rate, in transactions per second. */
export const rawBarPct = 60;
/**
 * The ledger keeps up when what is left at load end is gone within this share of the load time (or 1 s):
 * applied tx/s is then ≥ ~95 % of accepted tx/s. The slack covers the 250 ms poll and the batch in flight.
 */
export const keepUpDrainShare = 0.05;
export const keepUpDrainFloorSec = 1;

export interface LedgerFigures {
  /** The highest number of this load's transactions owed, sampled once a second during the load. */
  peakBacklogDuringLoad: number;
  /** Owed when the load stopped. */
  behindAtLoadEnd: number;
  drained: boolean;
  drainSeconds: number;
  remaining: number;
  /** accepted / (load duration + drain time); a lower bound when not drained. */
  appliedPerSec: number;
  keepsUp: boolean;
  note?: string;
}

/** One load against the gateway: single transactions, or batches of them. */
export interface PhaseFigures {
  load: LoadResult;
  /** Transactions accepted per second of load. */
  acceptedPerSec: number;
  requestsPerSec: number;
  /** CPU of the gateway's process per request and per accepted transaction (ms). */
  gatewayCpuMsPerRequest: number | null;
  gatewayCpuMsPerTransaction: number | null;
  ledger: LedgerFigures | null;
  /**
   * Cores each process kept busy during the load, and its CPU per accepted transaction (ms): Postgres's (the
   * gateway's look-ups and receipts) and nats-server's beside the gateway's own, and the machine's.
   */
  cpu: ProcessCpu[];
}

/** A process's (or all Postgres's, or the machine's) busy cores over a load, and its CPU per transaction (ms). */
export interface ProcessCpu {
  name: string;
  cores: number | null;
  msPerTransaction: number | null;
}

/** Each process's cores over `seconds`, with its CPU per one of the `transactions` done meanwhile. */
export function cpuPerTransaction(
  cores: { name: string; cores: number | null }[],
  seconds: number,
  transactions: number,
): ProcessCpu[] {
  return cores.map(({ name, cores }) => ({
    name,
    cores,
    msPerTransaction: cores !== null && transactions > 0 ? (cores * seconds * 1_000) / transactions : null,
  }));
}

/** How fast the ledger workers, started after the gateway-alone loads, applied what those loads left. */
export interface LedgerCapacity {
  workers: number;
  /** Transactions accepted while the gateway ran alone: what the workers found owed when they started. */
  backlog: number;
  drained: boolean;
  seconds: number;
  /** Applied per second while draining that backlog: what the workers can apply. */
  appliedPerSec: number;
  /**
   * Cores each process kept busy while the workers drained, and its CPU per applied transaction (ms): what a
   * capacity plan multiplies by its rate. Postgres counts all its backends; NATS and the idle gateway are listed too.
   */
  cpu: ProcessCpu[];
  note?: string;
}

export interface LedgerVerified {
  /** Transactions the gateway answered as accepted in this run. */
  accepted: number;
  /** Messages the run's transactions stream stored: the accepted, and some of those posted as a load stopped. */
  stored: number;
  /** Transactions of the run the ledger's tables hold, applied or rejected. */
  found: number;
}

export interface BenchFigures {
  system: string;
  /** The process whose CPU the phases report: the gateway alone, or a server running several roles. */
  cpuProcess: string;
  gatewayUrl: string;
  namespace: string;
  connections: number;
  /** How the ledger's progress was counted, or why it was not. */
  ledgerSource: string;
  /** Spawned systems, after the drains: what the ledger's tables hold against what the run posted. */
  ledgerVerified: LedgerVerified | null;
  ceiling: CeilingResult | null;
  single: PhaseFigures;
  batch: (PhaseFigures & { batchSize: number; connections: number }) | null;
  /** Spawned systems: the workers draining the backlog of the gateway-alone loads. */
  ledgerCapacity: LedgerCapacity | null;
  /** Spawned systems: single POSTs again, with the ledger workers applying at the same time. */
  pipeline: PhaseFigures | null;
  raw: RawPublishResult | null;
  singleVsCeilingPct: number | null;
  batchVsRawPct: number | null;
  memory: { name: string; memory: ProcessMemory | null }[];
  benchPeakBytes: number;
}

export function ledgerFigures(
  acceptedItems: number,
  loadSeconds: number,
  peak: number,
  drain: DrainResult,
): LedgerFigures {
  const applied = Math.max(0, acceptedItems - drain.remaining) / (loadSeconds + drain.seconds);
  return {
    peakBacklogDuringLoad: Math.max(peak, drain.atLoadEnd),
    behindAtLoadEnd: drain.atLoadEnd,
    drained: drain.drained,
    drainSeconds: drain.seconds,
    remaining: drain.remaining,
    appliedPerSec: applied,
    keepsUp:
      drain.drained &&
      acceptedItems > 0 &&
      drain.seconds <= Math.max(keepUpDrainFloorSec, loadSeconds * keepUpDrainShare),
    ...(drain.reason ? { note: drain.reason } : {}),
  };
}

export const percentOf = (value: number, reference: number | undefined): number | null =>
  reference && reference > 0 ? (value / reference) * 100 : null;

/**
 * The ceiling route's CPU per request as a share of the gateway's: the share of the ceiling single POSTs would reach
 * if neither process shared its core. On 2 cores the load generator (one Node process) limits the ceiling's rate
 * well before the route's process is busy, so this says what the gateway's own work costs, independent of that.
 * Only when the gateway runs alone in its process; a server running several roles spends its CPU on them too.
 */
export function singleVsCeilingByCpuPct(f: BenchFigures): number | null {
  const gateway = f.single.gatewayCpuMsPerRequest;
  const ceiling = f.ceiling?.cpuMsPerRequest;
  if (f.cpuProcess !== "gateway" || gateway === null || ceiling === null || ceiling === undefined) return null;
  return percentOf(ceiling, gateway);
}

/** Whether every bar was measured and met; null when one could not be measured. */
export function verdicts(f: BenchFigures) {
  const capacity = f.ledgerCapacity;
  const canApply = (rate: number | undefined) =>
    capacity && rate !== undefined ? capacity.drained && capacity.appliedPerSec >= rate : null;
  const ledgerAppliesSingleRate = canApply(f.single.acceptedPerSec);
  const ledgerAppliesBatchRate = canApply(f.batch?.acceptedPerSec);
  const checks = [
    ledgerAppliesSingleRate,
    ledgerAppliesBatchRate,
    ...[f.single, f.batch, f.pipeline].map((p) => (p?.ledger ? p.ledger.keepsUp : null)),
  ].filter((c): c is boolean => c !== null);
  return {
    meetsCeilingBar: f.singleVsCeilingPct === null ? null : f.singleVsCeilingPct >= ceilingBarPct,
    meetsRawBar: f.batchVsRawPct === null ? null : f.batchVsRawPct >= rawBarPct,
    ledgerAppliesSingleRate,
    ledgerAppliesBatchRate,
    ledgerKeepsUp: checks.length ? checks.every(Boolean) : null,
  };
}

/** The capacity figures from a drain of `backlog` transactions, with the cores each process used meanwhile. */
export function ledgerCapacity(
  workers: number,
  backlog: number,
  drain: DrainResult,
  cores: { name: string; cores: number | null }[] = [],
): LedgerCapacity {
  const applied = backlog - drain.remaining;
  return {
    workers,
    backlog,
    drained: drain.drained,
    seconds: drain.seconds,
    appliedPerSec: drain.seconds > 0 ? applied / drain.seconds : 0,
    cpu: cpuPerTransaction(cores, drain.seconds, applied),
    ...(drain.reason ? { note: drain.reason } : {}),
  };
}
