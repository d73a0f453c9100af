import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { E164Phone } from "@regulars/contracts";
import { afterAll, describe, expect, it } from "vitest";
import { coresBetween, machineName, postgresName, readCpu } from "../src/cpu-shares.ts";
import { loadLatencyConfig } from "../src/latency-config.ts";
import { ingestionLine, meetsLatencyBar, renderCores, renderWindows } from "../src/latency-report.ts";
import type { LatencyRunResult } from "../src/latency-run.ts";
import { measuredPhone } from "../src/latency-run.ts";
import { byWindow, distribution, dueNow, percentile, plannedArrivals } from "../src/latency-stats.ts";
import { BenchUsageError } from "../src/running-system.ts";
import { balancesFromBatch, customersGetBatchUrl } from "../src/visibility.ts";

const dir = mkdtempSync(join(tmpdir(), "regulars-bench-latency-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("percentiles", () => {
  it("are nearest-rank over the values, whatever their order", () => {
    const values = Array.from({ length: 100 }, (_, i) => 100 - i); // 100 .. 1
    expect(percentile(values, 50)).toBe(50);
    expect(percentile(values, 99)).toBe(99);
    expect(percentile(values, 100)).toBe(100);
    expect(percentile([7], 99)).toBe(7);
    expect(percentile([], 50)).toBeNull();
    expect(distribution([3, 1, 2])).toEqual({ count: 3, p50: 2, p90: 3, p99: 3, max: 3 });
  });
});

describe("a fixed arrival rate", () => {
  it("makes due what the rate planned by now, catching up after a late tick, never past the total", () => {
    expect(dueNow(0, 1_000, 0, 60_000)).toBe(0);
    expect(dueNow(10, 1_000, 0, 60_000)).toBe(10);
    expect(dueNow(10, 1_000, 10, 60_000)).toBe(0);
    expect(dueNow(250, 1_000, 10, 60_000)).toBe(240); // the timer came late: the backlog of arrivals goes at once
    expect(dueNow(70_000, 1_000, 59_990, 60_000)).toBe(10);
    expect(dueNow(1_000, 3.5, 0, 100)).toBe(3);
  });

  it("rises linearly from 0 over the ramp, then holds the rate without losing the arrivals of the ramp", () => {
    // Over a 10 s ramp to 1,000 tx/s: t²/20 thousand by t, i.e. the rate at t is t/10 of the full rate.
    expect(plannedArrivals(1_000, 1_000, 10)).toBe(50);
    expect(plannedArrivals(5_000, 1_000, 10)).toBe(1_250);
    expect(plannedArrivals(10_000, 1_000, 10)).toBe(5_000);
    expect(plannedArrivals(11_000, 1_000, 10) - plannedArrivals(10_000, 1_000, 10)).toBe(1_000); // full rate after
    expect(plannedArrivals(20_000, 1_000, 10)).toBe(15_000);
    expect(plannedArrivals(20_000, 1_000, 0)).toBe(20_000); // no ramp: the fixed rate from the start
    expect(dueNow(5_000, 1_000, 1_000, 60_000, 10)).toBe(250);
    expect(dueNow(30_000, 1_000, 0, 20_000, 10)).toBe(20_000); // never past the total
  });
});

describe("reading balances through tRPC", () => {
  it("asks customers.get for every phone in one batched GET", () => {
    const url = new URL(customersGetBatchUrl("http://127.0.0.1:4001", ["+48600000001", "+48600000002"]));
    expect(url.pathname).toBe("/trpc/customers.get,customers.get");
    expect(url.searchParams.get("batch")).toBe("1");
    expect(JSON.parse(url.searchParams.get("input")!)).toEqual({
      "0": { phone: "+48600000001" },
      "1": { phone: "+48600000002" },
    });
  });

  it("reads points (balance and pending) per phone; a customer not there yet reads null", () => {
    const phones = ["+48600000001", "+48600000002", "+48600000003"];
    const answer = [
      { result: { data: { view: "admin", points: { balance: 12, pending: 3 } } } },
      { error: { message: "no customer matches", code: -32004 } },
      { result: { data: { points: { balance: 0, pending: 0 } } } },
    ];
    expect([...balancesFromBatch(phones, answer)]).toEqual([
      ["+48600000001", 15],
      ["+48600000002", null],
      ["+48600000003", 0],
    ]);
    expect([...balancesFromBatch(phones, { not: "a batch" }).values()]).toEqual([null, null, null]);
  });

  it("gives every measured transaction a new customer, a valid phone unique within the run", () => {
    const phones = Array.from({ length: 1_000 }, (_, i) => measuredPhone(4_242, i));
    expect(new Set(phones).size).toBe(1_000);
    for (const phone of phones) expect(E164Phone.safeParse(phone).success, phone).toBe(true);
    expect(measuredPhone(4_242, 0)).not.toBe(measuredPhone(4_243, 0));
  });
});

const result = (over: Partial<LatencyRunResult>): LatencyRunResult => ({
  plannedRate: 1_000,
  warmupSeconds: 10,
  postingSeconds: 60,
  sent: 60_000,
  achievedRate: 1_000,
  statuses: { "202": 60_000 },
  postErrors: 0,
  postMs: distribution([5]),
  measured: 12_000,
  visibleMs: { count: 12_000, p50: 200, p90: 400, p99: 800, max: 1_500 },
  visibleByWindow: [],
  notVisible: 0,
  pollErrors: 0,
  firstPollError: null,
  ...over,
});

describe("the latency bar", () => {
  it("is p99 under 1 s, with every measured transaction seen", () => {
    expect(meetsLatencyBar(result({}))).toBe(true);
    expect(meetsLatencyBar(result({ visibleMs: { count: 10, p50: 200, p90: 400, p99: 1_000, max: 1_500 } }))).toBe(
      false,
    );
    expect(meetsLatencyBar(result({ notVisible: 1 }))).toBe(false);
    expect(meetsLatencyBar(result({ visibleMs: distribution([]) }))).toBeNull();
  });
});

describe("bench:campaigns' ingestion lines", () => {
  it("count only accepted transactions as throughput and show every answer", () => {
    const limited = result({ sent: 60, postingSeconds: 3, statuses: { "202": 6, "429": 54 }, postErrors: 2 });
    const line = ingestionLine("during", limited);
    expect(line).toMatch(/^during: 6 of 60 tx accepted, 2\.0\/s \(202×6 429×54; 2 without an answer\); POST p50/);
    expect(ingestionLine("before", result({ statuses: {}, postErrors: 5 }))).toMatch(
      /0 of 60,000 tx accepted, 0\.0\/s/,
    );
  });
});

describe("visible latency by window", () => {
  it("splits the samples by when they were sent, so a tail from one stretch of the run shows where it was", () => {
    const samples = [
      { sentSec: 0.5, ms: 3_000 },
      { sentSec: 9.9, ms: 2_000 },
      { sentSec: 10, ms: 300 },
      { sentSec: 25, ms: 400 },
      { sentSec: 27, ms: 500 },
      { sentSec: -0.01, ms: 100 }, // a timer's jitter before the window's start counts in the first
    ];
    const windows = byWindow(samples, 10);
    expect(windows.map((w) => [w.fromSec, w.ms.count, w.ms.p99, w.ms.max])).toEqual([
      [0, 3, 3_000, 3_000],
      [10, 1, 300, 300],
      [20, 2, 500, 500],
    ]);
    expect(renderWindows(windows)).toBe(
      "0–10 s p99 3,000 (max 3,000); 10–20 s p99 300 (max 300); 20–30 s p99 500 (max 500)",
    );
    expect(renderWindows([])).toBe("n/a");
  });
});

describe("bench:latency configuration", () => {
  const usageError = (fn: () => unknown): string => {
    try {
      fn();
    } catch (e) {
      expect(e).toBeInstanceOf(BenchUsageError);
      return (e as Error).message;
    }
    throw new Error("expected a BenchUsageError");
  };

  it("defaults to 1,000 tx/s for 60 s and takes both as flags", () => {
    expect(loadLatencyConfig(["--spawn"])).toMatchObject({
      ratePerSec: 1_000,
      durationSec: 60,
      warmupSec: 20,
      measureEvery: 20,
      pollMs: 100,
      pollBatch: 100,
      target: { kind: "spawn", ledgerWorkers: 2 },
    });
    expect(loadLatencyConfig(["--spawn", "--rate", "250", "--duration", "10", "--warmup", "0"])).toMatchObject({
      ratePerSec: 250,
      durationSec: 10,
      warmupSec: 0,
    });
    expect(usageError(() => loadLatencyConfig(["--spawn", "--rate", "0"]))).toMatch(/--rate/);
    expect(loadLatencyConfig(["--spawn", "--nats-cluster", "3"])?.target).toEqual({
      kind: "spawn",
      ledgerWorkers: 2,
      natsCluster: 3,
    });
    expect(usageError(() => loadLatencyConfig(["--spawn", "--nats-cluster", "2"]))).toMatch(/--nats-cluster .* ≥ 3/);
    expect(usageError(() => loadLatencyConfig(["--nats-cluster", "3"]))).toMatch(/add --spawn/);
    expect(usageError(() => loadLatencyConfig(["--spawn", "--api", "http://127.0.0.1:4001"]))).toMatch(
      /does not apply/,
    );
  });

  it("finds a running system's gateway, API and demo keys in its server.json", () => {
    const keysFile = join(dir, "demo-tenant.json");
    writeFileSync(
      keysFile,
      JSON.stringify({ tenantId: "tn_demo", apiKeys: { admin: "adm_key", pos: "pos_key", kiosk: "k", analyst: "a" } }),
    );
    const path = join(dir, "server.json");
    writeFileSync(
      path,
      JSON.stringify({
        pid: process.pid,
        gatewayUrl: "http://127.0.0.1:4000",
        apiUrl: "http://127.0.0.1:4001",
        natsUrl: "nats://127.0.0.1:4222",
        namespace: "regulars",
        demo: { tenantId: "tn_demo", keysFile },
      }),
    );
    expect(loadLatencyConfig([], path)).toMatchObject({
      pollBatch: 20,
      target: {
        kind: "running",
        gatewayUrl: "http://127.0.0.1:4000",
        apiUrl: "http://127.0.0.1:4001",
        posKey: "pos_key",
        adminKey: "adm_key",
        serverPid: process.pid,
      },
    });
    expect(usageError(() => loadLatencyConfig([], join(dir, "none.json")))).toMatch(/--spawn/);
    expect(usageError(() => loadLatencyConfig(["--api", "http://10.0.0.1:4001"], path))).toMatch(/not local/);
  });
});

describe("who had the CPU while posting", () => {
  it("turns two readings into cores per process, null where a process was missing from either", () => {
    const before = {
      atMs: 0,
      seconds: new Map([
        ["gateway", 10],
        ["ledger-1", null],
        ["bench", 2],
      ]),
    };
    const after = {
      atMs: 20_000,
      seconds: new Map<string, number | null>([
        ["gateway", 16],
        ["ledger-1", 9],
        ["bench", 4],
        ["api", 1],
      ]),
    };
    expect(coresBetween(before, after)).toEqual([
      { name: "gateway", cores: 0.3 },
      { name: "ledger-1", cores: null },
      { name: "bench", cores: 0.1 },
      { name: "api", cores: null },
    ]);
    expect(renderCores(coresBetween(before, after), 2)).toBe("gateway 0.30, bench 0.10; 0.40 of 2 cores");
    // The machine's busy cores are shown apart, with what none of the processes accounts for, not summed with them.
    const machine = { name: machineName, cores: 0.55 };
    expect(renderCores([...coresBetween(before, after), machine], 2)).toBe(
      "gateway 0.30, bench 0.10; 0.40 of 2 cores; the machine 0.55 (0.15 in none of them)",
    );
    expect(renderCores([], 2)).toBe("n/a");
  });

  it("reads this process, Postgres's and the bench's own CPU from the machine", async () => {
    const first = readCpu([{ name: "me", pid: process.pid }]);
    const of = (name: string) => (r: ReturnType<typeof readCpu>) => r.seconds.get(name) ?? 0;
    const [mine, machine] = [of("me"), of(machineName)];
    // Busy until the kernel has charged this process and the machine a tick or more: no assumption about how fast
    // that is. Reading /proc is the work; the first reading can itself cost the tick, so the loop may not run at all.
    let last = readCpu([{ name: "me", pid: process.pid }]);
    while (mine(last) <= mine(first) || machine(last) <= machine(first))
      last = readCpu([{ name: "me", pid: process.pid }]);
    const shares = coresBetween(first, last);
    expect(shares.map((s) => s.name)).toEqual(["me", postgresName, "bench", machineName]);
    expect(shares.find((s) => s.name === "me")!.cores).toBeGreaterThan(0);
    expect(shares.find((s) => s.name === "bench")!.cores).toBeGreaterThan(0);
    expect(shares.find((s) => s.name === machineName)!.cores).toBeGreaterThan(0);
    // The tests' Postgres runs on this machine.
    expect(shares.find((s) => s.name === postgresName)!.cores).not.toBeNull();
  });
});
