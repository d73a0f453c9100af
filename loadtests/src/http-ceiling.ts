import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { roleNodeFlags, spawnNodeChild, untilReady } from "./child-process.ts";
import { type LoadResult, runLoad } from "./load.ts";
import { type ProcessMemory, readProcessCpuSeconds, readProcessMemory } from "./rss.ts";
import { findRepoRoot } from "./running-system.ts";

export interface CeilingResult {
  load: LoadResult;
  perSec: number;
  /** CPU of the reference process per request, in milliseconds. */
  cpuMsPerRequest: number | null;
  memory: ProcessMemory | null;
}

/**
 * The HTTP ceiling: `http-ceiling-server.ts` (the gateway's server stack, a route that parses the body and
 * answers 202) in a process of its own, driven with the same bodies over the same number of connections
 * as the gateway. What the gateway's own work costs is the distance to this.
 */
export async function measureHttpCeiling(opts: {
  connections: number;
  durationSec: number;
  nextBody: () => string;
  signal: AbortSignal;
}): Promise<CeilingResult> {
  const dir = mkdtempSync(join(tmpdir(), "regulars-bench-ceiling-"));
  let port: number | undefined;
  let stdout = "";
  const child = spawnNodeChild({
    name: "http-ceiling",
    args: ["--import", "tsx", ...roleNodeFlags, "src/http-ceiling-server.ts"],
    cwd: join(findRepoRoot(), "loadtests"),
    env: {},
    logFile: join(dir, "ceiling.log"),
    onStdout: (text) => {
      stdout += text;
      const match = /\{"port":(\d+)\}/.exec(stdout);
      if (match) port = Number(match[1]);
    },
  });
  try {
    const listening = await untilReady(child, "listening", () => port, 60_000);
    const cpuBefore = readProcessCpuSeconds(child.pid);
    const load = await runLoad({
      url: new URL(`http://127.0.0.1:${listening}/v1/transactions`),
      posKey: "none",
      connections: opts.connections,
      durationSec: opts.durationSec,
      nextBody: opts.nextBody,
      signal: opts.signal,
    });
    const cpuAfter = readProcessCpuSeconds(child.pid);
    return {
      load,
      perSec: load.accepted / load.durationSec,
      cpuMsPerRequest: cpuPerRequestMs(cpuBefore, cpuAfter, load.sent),
      // Read before the process ends: its peak is gone with it.
      memory: readProcessMemory(child.pid),
    };
  } finally {
    await child.stop(5_000);
    rmSync(dir, { recursive: true, force: true });
  }
}

/** CPU milliseconds per request between two readings of a process's CPU seconds. */
export function cpuPerRequestMs(before: number | null, after: number | null, requests: number): number | null {
  if (before === null || after === null || requests <= 0) return null;
  return ((after - before) * 1_000) / requests;
}
