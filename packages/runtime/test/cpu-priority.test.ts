import { execFile } from "node:child_process";
import { readdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { cpuPriorities } from "../src/cpu-priority.ts";

const run = promisify(execFile);
const moduleUrl = new URL("../src/cpu-priority.ts", import.meta.url).href;

/**
 * A child process lowers itself, then starts a worker thread and uses libuv's pool, and reports every thread's
 * nice value as the kernel reads it (field 19 of /proc/<pid>/task/<tid>/stat).
 */
const child = `
import { readdirSync, readFileSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { Worker } from "node:worker_threads";
const { applyCpuPriority } = await import(${JSON.stringify(moduleUrl)});
const priority = process.argv.at(-1);
const set = applyCpuPriority(priority);
const worker = new Worker("setInterval(() => {}, 1000)", { eval: true });
await new Promise((resolve) => worker.once("online", resolve));
await readFile(process.execPath).catch(() => null);
const nice = readdirSync("/proc/self/task").map((tid) => {
  const stat = readFileSync("/proc/self/task/" + tid + "/stat", "utf8");
  return Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[16]);
});
await worker.terminate();
process.stdout.write(JSON.stringify({ set, nice }));
`;

async function niceOfThreads(priority: string): Promise<{ set: number; nice: number[] }> {
  const cwd = fileURLToPath(new URL("..", import.meta.url));
  const { stdout } = await run(process.execPath, ["--import", "tsx", "--input-type=module", "-e", child, priority], {
    cwd,
  });
  return JSON.parse(stdout) as { set: number; nice: number[] };
}

describe.skipIf(!readdirSync("/proc").length)("CPU priority", () => {
  it("lowers every thread of the process, those started later included", async () => {
    const { set, nice } = await niceOfThreads("below_normal");
    expect(set).toBeGreaterThan(1); // the main thread and V8's and libuv's threads already running
    expect(nice.length).toBeGreaterThan(set); // the worker thread and its helpers came after
    expect(new Set(nice)).toEqual(new Set([cpuPriorities.below_normal]));
  });

  it("changes nothing at normal priority", async () => {
    const { set, nice } = await niceOfThreads("normal");
    expect(set).toBe(0);
    expect(new Set(nice)).toEqual(new Set([cpuPriorities.normal]));
  });
});
