import { describe, expect, it } from "vitest";
import { acceptedInBatchAnswer, batchBody } from "../src/batches.ts";
import { machineName } from "../src/cpu-shares.ts";
import { cpuPerRequestMs } from "../src/http-ceiling.ts";
import type { LoadResult } from "../src/load.ts";
import {
  type BenchFigures,
  cpuPerTransaction,
  ledgerCapacity,
  ledgerFigures,
  type PhaseFigures,
  percentOf,
  singleVsCeilingByCpuPct,
  verdicts,
} from "../src/report.ts";
import { renderTable, toJsonLine, verifiedLine } from "../src/report-render.ts";

const load = (over: Partial<LoadResult> = {}): LoadResult => ({
  durationSec: 20,
  sent: 40_000,
  accepted: 40_000,
  acceptedItems: 40_000,
  non2xx: 0,
  statuses: { "202": 40_000 },
  errors: 0,
  timeouts: 0,
  latencyMs: { p50: 10, p90: 14, p99: 30, max: 80, mean: 11 },
  avgBodyBytes: 420,
  ...over,
});

const drained = { drained: true, seconds: 0.5, remaining: 0, atLoadEnd: 300 };

describe("the ledger's figures", () => {
  it("keeps up when what was owed at the end is gone within max(1 s, 5 % of the load)", () => {
    expect(ledgerFigures(40_000, 20, 250, drained)).toMatchObject({
      keepsUp: true,
      appliedPerSec: 40_000 / 20.5,
      peakBacklogDuringLoad: 300, // what was owed at the end counts as sampled
    });
    expect(ledgerFigures(40_000, 20, 250, { ...drained, seconds: 1.01 }).keepsUp).toBe(false);
    expect(ledgerFigures(40_000, 100, 250, { ...drained, seconds: 4.9 }).keepsUp).toBe(true);
  });

  it("does not keep up when it did not drain, and its rate is then a lower bound of what it applied", () => {
    const figures = ledgerFigures(40_000, 20, 9_000, {
      drained: false,
      seconds: 20,
      remaining: 10_000,
      atLoadEnd: 9_000,
      reason: "gave up",
    });
    expect(figures).toMatchObject({ keepsUp: false, appliedPerSec: 30_000 / 40, note: "gave up" });
  });
});

const phase = (over: Partial<PhaseFigures> = {}): PhaseFigures => ({
  load: load(),
  acceptedPerSec: 2_000,
  requestsPerSec: 2_000,
  gatewayCpuMsPerRequest: 0.2,
  gatewayCpuMsPerTransaction: 0.2,
  ledger: ledgerFigures(40_000, 20, 250, drained),
  cpu: [],
  ...over,
});

const figures = (over: Partial<BenchFigures> = {}): BenchFigures => ({
  system: "spawned",
  cpuProcess: "gateway",
  gatewayUrl: "http://127.0.0.1:4000",
  namespace: "bench_x",
  connections: 50,
  ledgerSource: "Postgres",
  ledgerVerified: null,
  ceiling: { load: load(), perSec: 20_000, cpuMsPerRequest: 0.05, memory: null },
  single: phase(),
  batch: { ...phase({ acceptedPerSec: 30_000 }), batchSize: 100, connections: 8 },
  ledgerCapacity: null,
  pipeline: null,
  raw: { stream: "BENCH_RAW_X", messages: 100_000, seconds: 2, perSec: 50_000, avgBytes: 500 },
  singleVsCeilingPct: percentOf(2_000, 20_000),
  batchVsRawPct: percentOf(30_000, 50_000),
  memory: [{ name: "gateway", memory: { pid: 42, peakBytes: 200 * 2 ** 20, currentBytes: 150 * 2 ** 20 } }],
  benchPeakBytes: 100 * 2 ** 20,
  ...over,
});

describe("the verdicts", () => {
  it("measure single POSTs against the HTTP ceiling and batches against the raw publish rate", () => {
    expect(verdicts(figures())).toEqual({
      meetsCeilingBar: false,
      meetsRawBar: true,
      ledgerAppliesSingleRate: null,
      ledgerAppliesBatchRate: null,
      ledgerKeepsUp: true,
    });
    expect(verdicts(figures({ singleVsCeilingPct: 50 })).meetsCeilingBar).toBe(true);
    expect(verdicts(figures({ batchVsRawPct: 59.9 })).meetsRawBar).toBe(false);
  });

  it("says n/a for what was not measured, and the ledger keeps up only if it did in every phase", () => {
    expect(verdicts(figures({ batch: null, batchVsRawPct: null, singleVsCeilingPct: null }))).toMatchObject({
      meetsCeilingBar: null,
      meetsRawBar: null,
    });
    const behind = ledgerFigures(40_000, 20, 250, { ...drained, seconds: 30 });
    expect(
      verdicts(figures({ batch: { ...phase({ ledger: behind }), batchSize: 100, connections: 8 } })),
    ).toMatchObject({ ledgerKeepsUp: false });
    expect(verdicts(figures({ single: phase({ ledger: null }), batch: null })).ledgerKeepsUp).toBeNull();
  });

  it("with a spawned system, wants the workers to apply at least each rate the gateway accepted", () => {
    const capacity = ledgerCapacity(2, 100_000, { drained: true, seconds: 10, remaining: 0, atLoadEnd: 100_000 });
    expect(capacity.appliedPerSec).toBe(10_000);
    const alone = {
      single: phase({ ledger: null }),
      batch: { ...phase({ ledger: null, acceptedPerSec: 30_000 }), batchSize: 100, connections: 8 },
    };
    expect(verdicts(figures({ ...alone, ledgerCapacity: capacity }))).toMatchObject({
      ledgerAppliesSingleRate: true,
      ledgerAppliesBatchRate: false,
      ledgerKeepsUp: false,
    });
    const fast = { ...capacity, appliedPerSec: 40_000 };
    expect(verdicts(figures({ ...alone, ledgerCapacity: fast })).ledgerKeepsUp).toBe(true);
    // The pipeline phase (ledger running during the load) must keep up too.
    const behind = ledgerFigures(40_000, 20, 250, { ...drained, seconds: 30 });
    expect(
      verdicts(figures({ ...alone, ledgerCapacity: fast, pipeline: phase({ ledger: behind }) })).ledgerKeepsUp,
    ).toBe(false);
    // Not drained: it did not show what it can apply.
    const stuck = ledgerCapacity(2, 100_000, { drained: false, seconds: 300, remaining: 90_000, atLoadEnd: 100_000 });
    expect(
      verdicts(figures({ ...alone, ledgerCapacity: { ...stuck, appliedPerSec: 50_000 } })).ledgerAppliesSingleRate,
    ).toBe(false);
    expect(renderTable(figures({ ...alone, ledgerCapacity: capacity }))).toMatch(
      /ledger capacity\s+10,000 tx\/s applied by 2 worker process\(es\), draining the 100,000 left by the loads above in 10\.0 s/,
    );
  });

  it("turns the cores each process used while the ledger drained into CPU per applied transaction", () => {
    // 90,000 applied in 30 s (10,000 still owed): 0.6 cores for 30 s is 18 s of CPU, 0.2 ms per transaction.
    const capacity = ledgerCapacity(2, 100_000, { drained: false, seconds: 30, remaining: 10_000, atLoadEnd: 0 }, [
      { name: "ledger-1", cores: 0.6 },
      { name: "postgres (all backends)", cores: 0.75 },
      { name: "gateway", cores: 0.001 },
      { name: "nats-server", cores: null },
      { name: machineName, cores: 1.9 },
    ]);
    expect(capacity.cpu.map((p) => [p.name, p.msPerTransaction])).toEqual([
      ["ledger-1", 0.2],
      ["postgres (all backends)", 0.25],
      ["gateway", expect.closeTo(0.000333, 6)],
      ["nats-server", null],
      [machineName, expect.closeTo(0.633333, 6)],
    ]);
    expect(renderTable(figures({ ledgerCapacity: capacity }))).toMatch(
      /ledger capacity CPU\s+postgres \(all backends\) 0\.75 cores \(0\.250 ms\/tx\), ledger-1 0\.60 cores \(0\.200 ms\/tx\); 1\.35 cores in these processes, the machine 1\.90 \(0\.55 in none of them\)/,
    );
  });

  it("shows the cores each process used during a load, Postgres's look-ups included, per accepted transaction", () => {
    // 30,000 accepted in 10 s: 0.9 cores is 9 s of CPU, 0.3 ms a transaction; 0.45 cores of Postgres 0.15 ms.
    const cpu = cpuPerTransaction(
      [
        { name: "gateway", cores: 0.9 },
        { name: "postgres (all backends)", cores: 0.45 },
        { name: "nats-server", cores: 0.2 },
        { name: machineName, cores: 1.95 },
      ],
      10,
      30_000,
    );
    const f = figures({ single: phase({ cpu }) });
    expect(renderTable(f)).toMatch(
      /single POST CPU by process\s+gateway 0\.90 cores \(0\.300 ms\/tx\), postgres \(all backends\) 0\.45 cores \(0\.150 ms\/tx\), nats-server 0\.20 cores \(0\.067 ms\/tx\); 1\.55 cores in these processes, the machine 1\.95 \(0\.40 in none of them\)/,
    );
    expect(renderTable(figures())).not.toMatch(/CPU by process/);
  });

  it("takes percentages only of a reference that was measured", () => {
    expect(percentOf(1, 4)).toBe(25);
    expect(percentOf(1, 0)).toBeNull();
    expect(percentOf(1, undefined)).toBeNull();
  });
});

describe("the report", () => {
  it("prints every figure with its same-run reference and bar", () => {
    const table = renderTable(figures());
    expect(table).toMatch(/HTTP ceiling\s+20,000 req\/s/);
    expect(table).toMatch(/single vs ceiling\s+10\.0 % of the HTTP ceiling \(bar 50 %: NO\)/);
    expect(table).toMatch(/batch vs raw\s+60\.0 % of the raw publish rate \(bar 60 %: yes\)/);
    expect(table).toMatch(/peak RSS gateway\s+200\.0 MB peak \(pid 42/);
    expect(table).toMatch(/single POST gateway CPU\s+0\.200 ms per request/);
    expect(table).toMatch(/single vs ceiling, CPU\s+25\.0 %: the ceiling route's 0\.050 ms .* the gateway's 0\.200 ms/);
  });

  it("compares CPU per request with the ceiling only when the gateway has its process to itself", () => {
    expect(singleVsCeilingByCpuPct(figures())).toBe(25);
    expect(singleVsCeilingByCpuPct(figures({ cpuProcess: "server" }))).toBeNull();
    expect(singleVsCeilingByCpuPct(figures({ ceiling: null }))).toBeNull();
    expect(singleVsCeilingByCpuPct(figures({ single: phase({ gatewayCpuMsPerRequest: null }) }))).toBeNull();
    expect(renderTable(figures({ cpuProcess: "server" }))).not.toMatch(/single vs ceiling, CPU/);
  });

  it("writes one JSON line with the verdicts and every process's peak memory", () => {
    const json = JSON.parse(toJsonLine(figures()));
    expect(json).toMatchObject({
      singleVsCeilingPct: 10,
      singleVsCeilingByCpuPct: 25,
      batchVsRawPct: 60,
      meetsCeilingBar: false,
      meetsRawBar: true,
      ledgerKeepsUp: true,
      single: { accepted: 40_000, acceptedPerSec: 2_000 },
      batch: { batchSize: 100 },
      memory: { gateway: { pid: 42, peakRssBytes: 200 * 2 ** 20 }, bench: { peakRssBytes: 100 * 2 ** 20 } },
    });
  });
});

describe("batch bodies and answers", () => {
  it("builds a batch of new baskets and reads how many an answer accepted", () => {
    let n = 0;
    const body = JSON.parse(batchBody(() => ({ externalId: `x-${n++}` }) as any, 3));
    expect(body.transactions.map((t: { externalId: string }) => t.externalId)).toEqual(["x-0", "x-1", "x-2"]);
    expect(acceptedInBatchAnswer(JSON.stringify({ accepted: 97, duplicates: 1, invalid: 2, results: [] }))).toBe(97);
    expect(acceptedInBatchAnswer('{"code":"invalid_request"}')).toBe(0);
    expect(acceptedInBatchAnswer("not json")).toBe(0);
  });

  it("divides a process's CPU over the requests it served", () => {
    expect(cpuPerRequestMs(10, 12, 10_000)).toBeCloseTo(0.2);
    expect(cpuPerRequestMs(null, 12, 10_000)).toBeNull();
    expect(cpuPerRequestMs(10, 12, 0)).toBeNull();
  });
});

describe("the ledger's final count", () => {
  it("names any stored transaction the ledger's tables lack, and shows the row only when it was counted", () => {
    expect(verifiedLine({ accepted: 110_479, stored: 110_517, found: 110_517 })).toBe(
      "110,517 of the 110,517 transactions stored on the stream applied or rejected: all (110,479 answered 202, 38 posted as the loads stopped)",
    );
    expect(verifiedLine({ accepted: 1_000, stored: 1_000, found: 998 })).toMatch(/: 2 MISSING \(/);
    expect(verifiedLine({ accepted: 1_000, stored: 1_000, found: 1_001 })).toMatch(/: 1 more than stored \(/);
    expect(verifiedLine({ accepted: 1_000, stored: 990, found: 990 })).toMatch(
      /: all; 10 answered 202 are not on the stream$/,
    );
    expect(renderTable(figures())).not.toMatch(/ledger verified/);
    expect(renderTable(figures({ ledgerVerified: { accepted: 5, stored: 5, found: 4 } }))).toMatch(
      /ledger verified in Postgres\s+4 of the 5 transactions stored on the stream applied or rejected: 1 MISSING/,
    );
    const json = JSON.parse(toJsonLine(figures({ ledgerVerified: { accepted: 5, stored: 6, found: 6 } })));
    expect(json.ledgerVerified).toEqual({ accepted: 5, stored: 6, found: 6 });
  });
});
