/**
 * `pnpm bench:ingest`: how many transactions per second the gateway accepts, one per request and in batches,
 * how fast the ledger applies them, and how that compares with references measured in the same run: the
 * HTTP ceiling of the gateway's server stack and raw JetStream publishing. See loadtests/README.md.
 */
import { type Bus, connectBus } from "@regulars/bus";
import { createBasketFactory, externalIdSequence, newRunId } from "./baskets.ts";
import { acceptedInBatchAnswer, batchBody } from "./batches.ts";
import { type BenchSystem, openBenchSystem } from "./bench-system.ts";
import { type BenchConfig, BenchUsageError, loadConfig, usage } from "./config.ts";
import { coresBetween, readCpu } from "./cpu-shares.ts";
import { waitForLedgerDrain } from "./drain.ts";
import { type GatewayPhaseOptions, runGatewayPhase } from "./gateway-phase.ts";
import { measureHttpCeiling } from "./http-ceiling.ts";
import { abortOnInterrupt } from "./interrupt.ts";
import { demoMenu } from "./menu.ts";
import { preflight, preflightBatch } from "./preflight.ts";
import { measureRawPublish } from "./raw-publish.ts";
import { type BenchFigures, ledgerCapacity, percentOf } from "./report.ts";
import { renderTable, toJsonLine } from "./report-render.ts";
import { benchPeakRssBytes, readProcessMemory } from "./rss.ts";

const progress = (line: string) => process.stderr.write(`${line}\n`);

async function connect(system: BenchSystem): Promise<Bus> {
  try {
    return await connectBus({ url: system.natsUrl, namespace: system.namespace, name: "regulars-bench" });
  } catch (e) {
    throw new BenchUsageError(
      `cannot connect to NATS at ${system.natsUrl} (${(e as Error).message}): start the system with \`npm start\` first`,
    );
  }
}

async function bench(cfg: BenchConfig, system: BenchSystem, signal: AbortSignal): Promise<BenchFigures> {
  const runId = newRunId();
  const nextBasket = createBasketFactory({ menu: demoMenu });
  const nextId = externalIdSequence(`bench-${runId}`);
  const single = new URL("/v1/transactions", system.gatewayUrl);
  const batchUrl = new URL("/v1/transactions/batch", system.gatewayUrl);
  const spawned = system.kind === "spawn";
  const bus = await connect(system);
  try {
    const first = nextBasket(nextId());
    await preflight(single, system.posKey, first, progress);
    let accepted = 1; // everything the gateway accepted in this run, for the spawned ledger's backlog
    // A running system's ledger is counted from a transaction it has applied: it runs, and owes nothing of ours.
    let ledgerNote = system.noLedger;
    if (!spawned && !ledgerNote && !(await system.waitApplied(first.externalId, 60_000)))
      ledgerNote = "the ledger did not apply the first transaction within 60 s: are the ledger workers running?";
    if (ledgerNote) progress(`ledger not measured: ${ledgerNote}`);
    // While a spawned gateway runs alone there is no ledger to follow.
    const ledgerDuringLoads = async () => (ledgerNote || spawned ? null : system.ledgerProgress(first.externalId));
    const phase = (
      name: string,
      o: Pick<GatewayPhaseOptions, "url" | "connections" | "durationSec" | "nextBody" | "acceptedInBody" | "ledger">,
    ) =>
      runGatewayPhase({
        name,
        posKey: system.posKey,
        gatewayPid: system.gatewayPid,
        processes: system.processes,
        drainTimeoutSec: cfg.drainTimeoutSec,
        signal,
        progress,
        ...o,
      });

    const singleBody = () => JSON.stringify(nextBasket(nextId()));
    progress(`HTTP ceiling reference: ${cfg.connections} connections for ${cfg.ceilingDurationSec} s`);
    const ceiling = await measureHttpCeiling({
      connections: cfg.connections,
      durationSec: cfg.ceilingDurationSec,
      nextBody: singleBody,
      signal,
    });
    if (signal.aborted) throw new Error("interrupted");

    progress(
      `single POST: ${cfg.connections} connections for ${cfg.durationSec} s against ${single.href} (run ${runId})`,
    );
    const singleLedger = await ledgerDuringLoads();
    const singlePhase = await phase("single", {
      url: single,
      connections: cfg.connections,
      durationSec: cfg.durationSec,
      nextBody: singleBody,
      ledger: singleLedger,
    }).finally(() => singleLedger?.close());
    accepted += singlePhase.load.acceptedItems;

    let batch: BenchFigures["batch"] = null;
    if (cfg.batchSize > 0) {
      const refused = await preflightBatch(batchUrl, system.posKey, nextBasket(nextId()));
      if (refused) progress(`batch phase left out: ${refused}`);
      else {
        accepted += 1;
        progress(
          `batch POST: batches of ${cfg.batchSize}, ${cfg.batchConnections} connections for ${cfg.batchDurationSec} s`,
        );
        const batchLedger = await ledgerDuringLoads();
        const result = await phase("batch", {
          url: batchUrl,
          connections: cfg.batchConnections,
          durationSec: cfg.batchDurationSec,
          nextBody: () => batchBody(() => nextBasket(nextId()), cfg.batchSize),
          acceptedInBody: acceptedInBatchAnswer,
          ledger: batchLedger,
        }).finally(() => batchLedger?.close());
        accepted += result.load.acceptedItems;
        batch = { ...result, batchSize: cfg.batchSize, connections: cfg.batchConnections };
      }
    }

    const raw = await rawReference(cfg, system, bus, runId, nextBasket, Math.max(accepted, 10_000), signal);

    let ledgerCapacityFigures: BenchFigures["ledgerCapacity"] = null;
    let pipeline: BenchFigures["pipeline"] = null;
    let ledgerSource = `not measured: ${ledgerNote}`;
    if (spawned && !ledgerNote) {
      // Counted from before the workers start (the spawned tenant is known): everything of this run is owed.
      const progressOf = await system.ledgerProgress(first.externalId);
      ledgerSource = progressOf.source;
      progress(`starting ${system.ledgerWorkers} ledger worker process(es); they find ${accepted} transactions owed`);
      await system.startLedger();
      const cpuBefore = readCpu(system.processes);
      const drain = await waitForLedgerDrain({
        owed: () => progressOf.owed(accepted),
        timeoutMs: cfg.drainTimeoutSec * 1_000,
        signal,
        onProgress: (p) => progress(`[ledger ${p.elapsedSec.toFixed(0).padStart(3)} s] ${p.remaining} still to apply`),
      }).finally(() => progressOf.close());
      if (signal.aborted) throw new Error("interrupted");
      const cores = coresBetween(cpuBefore, readCpu(system.processes));
      ledgerCapacityFigures = ledgerCapacity(system.ledgerWorkers, accepted, drain, cores);
      if (!drain.drained) progress(`pipeline phase left out: the ledger did not drain (${drain.reason})`);
      else if (cfg.durationSec > 0) {
        progress(`pipeline POST: single transactions again for ${cfg.durationSec} s, the ledger applying meanwhile`);
        const pipelineLedger = await system.ledgerProgress(first.externalId);
        pipeline = await phase("pipeline", {
          url: single,
          connections: cfg.connections,
          durationSec: cfg.durationSec,
          nextBody: singleBody,
          ledger: pipelineLedger,
        }).finally(() => pipelineLedger.close());
      }
    } else if (!ledgerNote) ledgerSource = singleLedger?.source ?? ledgerSource;
    // Once, after the timed drains: every transaction stored in this run must be in the ledger's tables.
    const drainedAll = ledgerCapacityFigures?.drained && (pipeline === null || pipeline.ledger?.drained);
    const counted = spawned && !ledgerNote && drainedAll ? await system.countInLedger() : null;
    const ledgerVerified = counted && { ...counted, accepted: accepted + (pipeline?.load.acceptedItems ?? 0) };

    return {
      system: system.description,
      cpuProcess: spawned ? "gateway" : "server",
      gatewayUrl: system.gatewayUrl,
      namespace: system.namespace,
      connections: cfg.connections,
      ledgerSource,
      ledgerVerified,
      ceiling,
      single: singlePhase,
      batch,
      ledgerCapacity: ledgerCapacityFigures,
      pipeline,
      raw,
      singleVsCeilingPct: percentOf(singlePhase.acceptedPerSec, ceiling.perSec),
      batchVsRawPct: batch ? percentOf(batch.acceptedPerSec, raw.perSec) : null,
      memory: system.processes.map((p) => ({ name: p.name, memory: readProcessMemory(p.pid) })),
      benchPeakBytes: benchPeakRssBytes(),
    };
  } finally {
    await bus.close().catch(() => {});
  }
}

/** Raw JetStream publishing from this process, with messages of the kind the gateway publishes. */
async function rawReference(
  cfg: BenchConfig,
  system: BenchSystem,
  bus: Bus,
  runId: string,
  nextBasket: (externalId: string) => unknown,
  maxMessages: number,
  signal: AbortSignal,
) {
  const tenantId = system.tenantId ?? "tn_bench";
  const encoder = new TextEncoder();
  const payloads = Array.from({ length: 1_000 }, (_, i) =>
    encoder.encode(
      JSON.stringify({
        tenantId,
        transactionId: `tx_raw${runId}${i}`,
        receivedAt: new Date().toISOString(),
        transaction: nextBasket(`raw-${runId}-${i}`),
      }),
    ),
  );
  progress(`raw JetStream publish reference: 256 in flight, up to ${cfg.rawSeconds} s`);
  const raw = await measureRawPublish({
    bus,
    payloads,
    msgIdPrefix: tenantId,
    maxSeconds: cfg.rawSeconds,
    maxMessages,
    signal,
    onProgress: (p) => progress(`[raw ${p.elapsedSec.toFixed(0).padStart(3)} s] ${p.published} published`),
  });
  if (signal.aborted) throw new Error("interrupted");
  return raw;
}

async function main(): Promise<number> {
  const controller = abortOnInterrupt(progress);
  let system: BenchSystem | null = null;
  let failed = false;
  try {
    const cfg = loadConfig();
    if (!cfg) {
      process.stdout.write(`${usage}\n`);
      return 0;
    }
    system = await openBenchSystem(cfg, progress);
    const figures = await bench(cfg, system, controller.signal);
    if (!cfg.json) process.stdout.write(`\n${renderTable(figures)}\n\n`);
    process.stdout.write(`${toJsonLine(figures)}\n`);
    return 0;
  } catch (e) {
    failed = true;
    if (controller.signal.aborted) return 130;
    progress(e instanceof BenchUsageError ? e.message : `bench failed: ${(e as Error).stack ?? e}`);
    return 1;
  } finally {
    await system?.close({ keepLogs: failed });
  }
}

process.exit(await main());
