import { coresBetween, readCpu } from "./cpu-shares.ts";
import { waitForLedgerDrain } from "./drain.ts";
import { cpuPerRequestMs } from "./http-ceiling.ts";
import type { LedgerProgress } from "./ledger-progress.ts";
import { runLoad } from "./load.ts";
import { cpuPerTransaction, ledgerFigures, type PhaseFigures } from "./report.ts";
import { readProcessCpuSeconds } from "./rss.ts";

export interface GatewayPhaseOptions {
  name: string;
  url: URL;
  posKey: string;
  connections: number;
  durationSec: number;
  nextBody: () => string;
  /** Transactions a 2xx answer accepted (batches); one per answer when absent. */
  acceptedInBody?: (body: string) => number;
  gatewayPid: number | null;
  /** The system's processes whose cores the load is read for (with Postgres's and the machine's); none for a running system. */
  processes?: { name: string; pid: number }[];
  /** Null when no ledger runs: nothing to wait for. */
  ledger: LedgerProgress | null;
  drainTimeoutSec: number;
  signal: AbortSignal;
  progress: (line: string) => void;
}

const fmt = (n: number) => Math.round(n).toLocaleString("en-US");

/**
 * One load against the gateway, with the gateway's CPU over it, the ledger's backlog sampled once a second
 * during it, and the wait until the ledger has applied what it accepted.
 */
export async function runGatewayPhase(opts: GatewayPhaseOptions): Promise<PhaseFigures> {
  const { ledger } = opts;
  let owed = 0;
  let peak = 0;
  let sampling = false;
  const cpuBefore = opts.gatewayPid === null ? null : readProcessCpuSeconds(opts.gatewayPid);
  const sharesBefore = readCpu(opts.processes ?? []);
  const load = await runLoad({
    url: opts.url,
    posKey: opts.posKey,
    connections: opts.connections,
    durationSec: opts.durationSec,
    nextBody: opts.nextBody,
    acceptedInBody: opts.acceptedInBody,
    signal: opts.signal,
    onProgress: (p) => {
      opts.progress(
        `[${opts.name} ${p.elapsedSec.toFixed(0).padStart(3)} s] ${fmt(p.responses)} answers, ${fmt(p.acceptedItems)} tx accepted, ${fmt(p.non2xx)} non-2xx, ${fmt(p.errors)} errors, ledger owes ${fmt(owed)} (peak ${fmt(peak)})`,
      );
      if (sampling || !ledger) return;
      sampling = true;
      ledger
        .owed(p.acceptedItems)
        .then((n) => {
          owed = n;
          peak = Math.max(peak, n);
        })
        .catch(() => {})
        .finally(() => (sampling = false));
    },
  });
  const cpuAfter = opts.gatewayPid === null ? null : readProcessCpuSeconds(opts.gatewayPid);
  const cores = coresBetween(sharesBefore, readCpu(opts.processes ?? []));
  if (opts.signal.aborted) throw new Error("interrupted");
  const acceptedPerSec = load.acceptedItems / load.durationSec;
  const cpuMsPerRequest = cpuPerRequestMs(cpuBefore, cpuAfter, load.sent);
  opts.progress(
    `${opts.name} done: ${fmt(load.acceptedItems)} transactions accepted in ${load.durationSec.toFixed(1)} s (${fmt(acceptedPerSec)} tx/s)${ledger ? "; waiting for the ledger" : ""}`,
  );
  let ledgerResult: PhaseFigures["ledger"] = null;
  if (ledger) {
    const drain = await waitForLedgerDrain({
      owed: () => ledger.owed(load.acceptedItems),
      timeoutMs: opts.drainTimeoutSec * 1_000,
      signal: opts.signal,
      onProgress: (p) =>
        opts.progress(`[drain ${p.elapsedSec.toFixed(0).padStart(3)} s] ${fmt(p.remaining)} still to apply`),
    });
    if (opts.signal.aborted) throw new Error("interrupted");
    if (!drain.drained) opts.progress(`the ledger did not drain: ${drain.reason}`);
    ledgerResult = ledgerFigures(load.acceptedItems, load.durationSec, peak, drain);
  }
  return {
    load,
    acceptedPerSec,
    requestsPerSec: load.sent / load.durationSec,
    gatewayCpuMsPerRequest: cpuMsPerRequest,
    gatewayCpuMsPerTransaction:
      cpuMsPerRequest === null || load.acceptedItems === 0 ? null : (cpuMsPerRequest * load.sent) / load.acceptedItems,
    ledger: ledgerResult,
    cpu: cpuPerTransaction(cores, load.durationSec, load.acceptedItems),
  };
}
