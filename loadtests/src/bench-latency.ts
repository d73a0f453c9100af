/**
 * `pnpm bench:latency`: at a fixed arrival rate (1,000 tx/s for 60 s by default), the time from a POST to the
 * customer's points being visible through the tRPC API, p50/p99. The bar: p99 under 1 s. See loadtests/README.md.
 */
import { availableParallelism } from "node:os";
import { createBasketFactory, newRunId } from "./baskets.ts";
import { type CpuReading, coresBetween, readCpu } from "./cpu-shares.ts";
import { abortOnInterrupt } from "./interrupt.ts";
import { latencyUsage, loadLatencyConfig } from "./latency-config.ts";
import { renderLatency, toLatencyJson } from "./latency-report.ts";
import { runLatency } from "./latency-run.ts";
import { demoMenu } from "./menu.ts";
import { benchPeakRssBytes, readProcessMemory } from "./rss.ts";
import { BenchUsageError } from "./running-system.ts";
import { natsDescription, natsProcesses, type SpawnedSystem, spawnSystem } from "./spawn-system.ts";

const progress = (line: string) => process.stderr.write(`${line}\n`);

async function main(): Promise<number> {
  const controller = abortOnInterrupt(progress);
  let spawned: SpawnedSystem | null = null;
  let failed = false;
  try {
    const cfg = loadLatencyConfig();
    if (!cfg) {
      process.stdout.write(`${latencyUsage}\n`);
      return 0;
    }
    let target: { gatewayUrl: string; apiUrl: string; posKey: string; adminKey: string };
    let processes: { name: string; pid: number }[];
    if (cfg.target.kind === "spawn") {
      spawned = await spawnSystem({
        ledgerWorkers: cfg.target.ledgerWorkers,
        api: true,
        ...(cfg.target.natsCluster ? { natsCluster: cfg.target.natsCluster } : {}),
        log: progress,
      });
      target = {
        gatewayUrl: spawned.gatewayUrl,
        apiUrl: spawned.apiUrl!,
        posKey: spawned.keys.pos,
        adminKey: spawned.keys.admin,
      };
      processes = [spawned.gateway, ...spawned.workers, spawned.api!].map((c) => ({ name: c.name, pid: c.pid }));
      processes.push(...natsProcesses(spawned));
    } else {
      target = cfg.target;
      processes = cfg.target.serverPid === null ? [] : [{ name: "server", pid: cfg.target.serverPid }];
    }
    progress(
      `posting ${cfg.ratePerSec} tx/s for ${cfg.warmupSec} s of warm-up and ${cfg.durationSec} s measured to ${target.gatewayUrl}; every ${cfg.measureEvery}th names a new customer whose points are read through ${target.apiUrl}/trpc every ${cfg.pollMs} ms`,
    );
    const readings: Partial<Record<"start" | "end", CpuReading>> = {};
    const result = await runLatency({
      ...target,
      ratePerSec: cfg.ratePerSec,
      warmupSec: cfg.warmupSec,
      durationSec: cfg.durationSec,
      measureEvery: cfg.measureEvery,
      pollMs: cfg.pollMs,
      pollBatch: cfg.pollBatch,
      visibleTimeoutSec: cfg.visibleTimeoutSec,
      nextBasket: createBasketFactory({ menu: demoMenu }),
      runId: newRunId(),
      signal: controller.signal,
      progress,
      onMeasuredWindow: (edge) => {
        readings[edge] = readCpu(processes);
      },
    });
    if (controller.signal.aborted) return 130;
    const memory = processes.map((p) => ({ name: p.name, memory: readProcessMemory(p.pid) }));
    const system = spawned
      ? `spawned: gateway, ${spawned.workers.length} ledger worker process(es) and the API each in its own process${natsDescription(spawned)}`
      : `running system at ${target.gatewayUrl}`;
    const cores = readings.start && readings.end ? coresBetween(readings.start, readings.end) : [];
    const figures = {
      system,
      pollMs: cfg.pollMs,
      result,
      memory,
      cores,
      machineCores: availableParallelism(),
      benchPeakBytes: benchPeakRssBytes(),
    };
    if (!cfg.json) process.stdout.write(`\n${renderLatency(figures)}\n\n`);
    process.stdout.write(`${toLatencyJson(figures)}\n`);
    if (result.firstPollError)
      progress(`note: reading balances failed ${result.pollErrors} times, first: ${result.firstPollError}`);
    return 0;
  } catch (e) {
    failed = true;
    if (controller.signal.aborted) return 130;
    progress(e instanceof BenchUsageError ? e.message : `bench failed: ${(e as Error).stack ?? e}`);
    return 1;
  } finally {
    await spawned?.stop({ keepLogs: failed });
  }
}

process.exit(await main());
