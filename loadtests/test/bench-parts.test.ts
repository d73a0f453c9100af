import { randomBytes } from "node:crypto";
import { createServer, type Server } from "node:http";
import { type Bus, connectBus, ensureTopology } from "@regulars/bus";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { nextPollMs, waitForLedgerDrain } from "../src/drain.ts";
import { handledByWorkers, handledInMetrics, workerMetricsLedgerProgress } from "../src/ledger-progress.ts";
import { measureRawPublish } from "../src/raw-publish.ts";
import {
  benchPeakRssBytes,
  findListeningPid,
  findNatsServerPid,
  readProcessCpuSeconds,
  readProcessMemory,
} from "../src/rss.ts";

// Real NATS (the machine's, or NATS_URL), in a namespace of its own that is deleted afterwards.
const natsUrl = process.env.NATS_URL ?? "nats://127.0.0.1:4222";
const namespace = `benchtest_${randomBytes(4).toString("hex")}`;
let bus: Bus;

const streamNames = async () => {
  const names: string[] = [];
  for await (const s of bus.jsm.streams.list()) names.push(s.config.name);
  return names;
};

beforeAll(async () => {
  bus = await connectBus({ url: natsUrl, namespace, name: "loadtests-test" });
  await ensureTopology(bus);
});

afterAll(async () => {
  for (const name of await streamNames())
    if (name.startsWith(`${namespace.toUpperCase()}_`)) await bus.jsm.streams.delete(name);
  await bus.close();
});

/** What the ledger owes, read from a list: the last value repeats. */
const owedSequence = (values: number[]) => {
  let i = 0;
  return async () => values[Math.min(i++, values.length - 1)]!;
};

describe("ledger drain", () => {
  it("reports a backlog that does not move as not drained, with the reason", async () => {
    const result = await waitForLedgerDrain({ owed: owedSequence([5]), timeoutMs: 600, pollMs: 50 });
    expect(result).toMatchObject({ drained: false, remaining: 5, atLoadEnd: 5 });
    expect(result.reason).toMatch(/gave up/);
    const stalled = await waitForLedgerDrain({ owed: owedSequence([5]), timeoutMs: 5_000, stallMs: 300, pollMs: 50 });
    expect(stalled.reason).toMatch(/ledger workers running/);
  });

  it("sees the drain finish once nothing is owed, remembering how far behind the ledger was", async () => {
    const result = await waitForLedgerDrain({ owed: owedSequence([40, 25, 3, 0]), timeoutMs: 10_000, pollMs: 10 });
    expect(result).toMatchObject({ drained: true, remaining: 0, atLoadEnd: 40 });
  });

  it("counts about twice before the expected end, at most once a second, and often near the end", () => {
    expect(nextPollMs(50_000, 0, 100, 1_000)).toBe(100); // no rate seen yet
    expect(nextPollMs(50_000, 4_000, 100, 1_000)).toBe(1_000); // 12.5 s to go
    expect(nextPollMs(2_000, 4_000, 100, 1_000)).toBe(250); // 0.5 s to go
    expect(nextPollMs(100, 4_000, 100, 1_000)).toBe(100);
    expect(nextPollMs(100, -20, 100, 1_000)).toBe(100); // the backlog grew
  });
});

describe("ledger progress from the workers' counters", () => {
  const metricsOf = (ledger: number, other = 7) =>
    [
      "# HELP regulars_messages_processed_total Messages handled by a worker, by outcome",
      "# TYPE regulars_messages_processed_total counter",
      `regulars_messages_processed_total{consumer="ledger",outcome="done"} ${ledger}`,
      `regulars_messages_processed_total{consumer="ledger",outcome="failed"} 2`,
      `regulars_messages_processed_total{consumer="ledger-events",outcome="done"} ${other}`,
      `regulars_batch_seconds_count{consumer="ledger"} 999`,
    ].join("\n");

  it("sums every outcome of the named consumer and nothing else", () => {
    expect(handledInMetrics(metricsOf(40), "ledger")).toBe(42);
    expect(handledInMetrics(metricsOf(40), "ledger-events")).toBe(7);
    expect(handledInMetrics("", "ledger")).toBe(0);
  });

  it("owes what the stream stored and the workers listed at each read have not handled", async () => {
    const handled = [100, 0];
    const servers = await Promise.all(
      handled.map(
        (_, i) =>
          new Promise<Server>((resolve) => {
            const server = createServer((_req, res) => res.end(metricsOf(handled[i]!, 0)));
            server.listen(0, "127.0.0.1", () => resolve(server));
          }),
      ),
    );
    const urlOf = (s: Server) => `http://127.0.0.1:${(s.address() as { port: number }).port}/metrics`;
    const urls = [urlOf(servers[0]!)];
    let stored = 150;
    try {
      const progress = workerMetricsLedgerProgress({ metricsUrls: () => urls, stored: async () => stored });
      expect(await handledByWorkers(urls)).toBe(102); // done and failed alike
      expect(await progress.owed(0)).toBe(48);
      handled[0] = 130;
      stored = 170;
      expect(await progress.owed(0)).toBe(38);
      urls.push(urlOf(servers[1]!)); // a worker started meanwhile
      handled[1] = 38;
      expect(await progress.owed(0)).toBe(0);
      urls.push("http://127.0.0.1:1/metrics");
      await expect(progress.owed(0)).rejects.toThrow();
    } finally {
      for (const s of servers) s.close();
    }
  });
});

describe("raw publish reference", () => {
  it("publishes into a temporary stream and deletes it", async () => {
    const payloads = [new TextEncoder().encode(JSON.stringify({ tenantId: "tn_test", transaction: { total: 700 } }))];
    const result = await measureRawPublish({
      bus,
      payloads,
      msgIdPrefix: "tn_test",
      maxSeconds: 2,
      minSeconds: 0,
      maxMessages: 500,
    });
    expect(result.messages).toBeGreaterThanOrEqual(500);
    expect(result.messages).toBeLessThan(500 + 256);
    expect(result.perSec).toBeGreaterThan(0);
    expect(result.avgBytes).toBe(payloads[0]!.byteLength);
    expect(result.stream).toMatch(/^BENCH_RAW_[A-Z0-9]+$/);
    expect(await streamNames()).not.toContain(result.stream);
  });
});

describe("process memory and CPU", () => {
  let server: Server;
  beforeAll(() => new Promise<void>((resolve) => (server = createServer().listen(0, "127.0.0.1", resolve))));
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it("reads peak and current RSS from /proc", () => {
    const mine = readProcessMemory(process.pid);
    expect(mine?.peakBytes).toBeGreaterThan(10 * 2 ** 20);
    expect(mine!.peakBytes).toBeGreaterThanOrEqual(mine!.currentBytes);
    expect(benchPeakRssBytes()).toBeGreaterThan(10 * 2 ** 20);
    expect(readProcessMemory(2 ** 30)).toBeNull();
  });

  it("reads the CPU a process has used, which grows with work it does", () => {
    const before = readProcessCpuSeconds(process.pid)!;
    expect(before).toBeGreaterThan(0);
    // Work until the kernel has counted at least one more clock tick of CPU for this process.
    let after = before;
    let spins = 0;
    while (after === before && spins++ < 1e6) after = readProcessCpuSeconds(process.pid)!;
    expect(after).toBeGreaterThan(before);
    expect(readProcessCpuSeconds(2 ** 30)).toBeNull();
  });

  it("finds the process listening on a port, and the nats-server", () => {
    const address = server.address();
    if (!address || typeof address === "string") throw new Error("no port");
    expect(findListeningPid(address.port)).toBe(process.pid);
    const nats = findNatsServerPid(natsUrl);
    expect(nats).not.toBeNull();
    expect(readProcessMemory(nats!)).not.toBeNull();
  });
});
