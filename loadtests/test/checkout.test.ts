import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { E164Phone, HoldRequest, QuoteRequest, TransactionInput } from "@regulars/contracts";
import { afterAll, describe, expect, it } from "vitest";
import { seededRandom } from "../src/baskets.ts";
import {
  checkoutPhone,
  createCheckoutBasketFactory,
  holdBody,
  minCheckoutSubtotal,
  quoteBody,
  saleOfHold,
  seedSale,
  subtotalOf,
} from "../src/checkout-baskets.ts";
import { loadCheckoutConfig, seedPointsPerCustomer } from "../src/checkout-config.ts";
import {
  answerCounts,
  type CheckoutFigures,
  meetsCodesBar,
  meetsLatency,
  meetsQuoteBar,
  renderCheckout,
  toCheckoutJson,
} from "../src/checkout-report.ts";
import { type RateRun, runFixedRate } from "../src/checkout-run.ts";
import { distribution } from "../src/latency-stats.ts";
import { demoMenu } from "../src/menu.ts";
import { BenchUsageError } from "../src/running-system.ts";

const dir = mkdtempSync(join(tmpdir(), "regulars-bench-checkout-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const nextBasket = createCheckoutBasketFactory({ menu: demoMenu, random: seededRandom(7) });
const selection = { couponCodes: ["BENCHQ-ABC123"], points: 50 };

describe("checkout bodies", () => {
  it("are baskets of the menu worth at least the minimum, valid quote and hold requests", () => {
    for (let i = 0; i < 200; i++) {
      const basket = nextBasket();
      expect(subtotalOf(basket.lines)).toBeGreaterThanOrEqual(minCheckoutSubtotal);
      const phone = checkoutPhone(123, i);
      expect(QuoteRequest.safeParse(quoteBody(phone, basket, selection)).error).toBeUndefined();
      expect(HoldRequest.safeParse(holdBody(phone, basket, selection, 600)).error).toBeUndefined();
    }
  });

  it("give every member a valid phone, unique within the run", () => {
    const phones = Array.from({ length: 1_000 }, (_, i) => checkoutPhone(99_999, i));
    expect(new Set(phones).size).toBe(1_000);
    for (const phone of phones) expect(E164Phone.safeParse(phone).success, phone).toBe(true);
    expect(checkoutPhone(1, 0)).not.toBe(checkoutPhone(2, 0));
  });

  it("seed a member with a sale worth the points at 1 point per 1.00", () => {
    const sale = seedSale("seed-1", checkoutPhone(1, 1), 5_000, Date.UTC(2024, 0, 10, 12));
    expect(TransactionInput.safeParse(sale).error).toBeUndefined();
    expect(sale.total).toBe(500_000);
  });

  it("post the sale of a hold with the quote's discount on each line and the total after them", () => {
    const basket = nextBasket();
    const quote = { lines: basket.lines.map((_, lineNo) => ({ lineNo, discount: lineNo === 0 ? 250 : 10 })) };
    const sale = saleOfHold({
      externalId: "checkout-1",
      phone: checkoutPhone(1, 2),
      basket,
      quote,
      couponCodes: selection.couponCodes,
      holdId: "hld_01abcdefghjk",
      nowMs: Date.UTC(2024, 0, 10, 12),
    });
    expect(TransactionInput.safeParse(sale).error).toBeUndefined();
    expect(sale.lines.map((l) => l.discount)).toEqual(quote.lines.map((q) => q.discount));
    expect(sale.total).toBe(subtotalOf(basket.lines) - quote.lines.reduce((s, q) => s + q.discount, 0));
    expect(basket.lines.every((l) => l.discount === 0)).toBe(true); // the basket itself is left as it was
  });
});

describe("bench:checkout configuration", () => {
  const usageError = (fn: () => unknown): string => {
    try {
      fn();
    } catch (e) {
      expect(e).toBeInstanceOf(BenchUsageError);
      return (e as Error).message;
    }
    throw new Error("expected a BenchUsageError");
  };

  it("defaults to quotes at 200/s then 500/s for 30 s, holds at 100/s for 20 s, 100,000 codes", () => {
    expect(loadCheckoutConfig(["--spawn"], {})).toEqual({
      customers: 200,
      quoteRates: [200, 500],
      quoteDurationSec: 30,
      quotesVia: "gateway",
      holdRate: 100,
      holdDurationSec: 20,
      warmupSec: 5,
      holdPoints: 50,
      codes: 100_000,
      json: false,
      cpuProfDir: null,
      target: { kind: "spawn", ledgerWorkers: 2 },
    });
  });

  it("takes flags, else CHECKOUT_* variables", () => {
    const env = { CHECKOUT_QUOTE_RATES: "100, 300", CHECKOUT_HOLD_RATE: "50", CHECKOUT_CODES: "0" };
    expect(loadCheckoutConfig(["--spawn", "--warmup", "0"], env)).toMatchObject({
      quoteRates: [100, 300],
      holdRate: 50,
      codes: 0,
      warmupSec: 0,
    });
    expect(loadCheckoutConfig(["--spawn", "--quote-rates", "250", "--hold-rate", "20"], env)).toMatchObject({
      quoteRates: [250],
      holdRate: 20,
    });
    expect(usageError(() => loadCheckoutConfig(["--spawn", "--quote-rates", "200,,500"], {}))).toMatch(/commas/);
    expect(loadCheckoutConfig(["--spawn", "--quotes-via", "api"], {})?.quotesVia).toBe("api");
    expect(usageError(() => loadCheckoutConfig(["--spawn", "--quotes-via", "kiosk"], {}))).toMatch(/--quotes-via/);
    expect(usageError(() => loadCheckoutConfig(["--spawn", "--hold-rate", "0"], {}))).toMatch(/--hold-rate/);
    expect(usageError(() => loadCheckoutConfig(["--spawn", "--customers", "1.5"], {}))).toMatch(/--customers/);
    expect(usageError(() => loadCheckoutConfig(["--spawn", "--key", "k"], {}))).toMatch(/does not apply/);
    expect(loadCheckoutConfig(["--spawn", "--cpu-prof", "/tmp/p"], {})?.cpuProfDir).toBe("/tmp/p");
    expect(usageError(() => loadCheckoutConfig(["--cpu-prof", "/tmp/p"], {}, "{}"))).toMatch(/add --spawn/);
    expect(loadCheckoutConfig(["--help"], {})).toBeNull();
  });

  it("finds a running system's gateway, API and demo keys in its server.json, local only", () => {
    const path = join(dir, "server.json");
    writeFileSync(
      path,
      JSON.stringify({
        pid: process.pid,
        gatewayUrl: "http://127.0.0.1:4000",
        apiUrl: "http://127.0.0.1:4001",
        natsUrl: "nats://127.0.0.1:4222",
        namespace: "regulars",
        demo: { tenantId: "tn_demo", apiKeys: { admin: "adm", pos: "pos", kiosk: "k", analyst: "a" } },
      }),
    );
    expect(loadCheckoutConfig([], {}, path)?.target).toEqual({
      kind: "running",
      gatewayUrl: "http://127.0.0.1:4000",
      apiUrl: "http://127.0.0.1:4001",
      posKey: "pos",
      adminKey: "adm",
      serverPid: process.pid,
    });
    expect(usageError(() => loadCheckoutConfig([], {}, join(dir, "none.json")))).toMatch(/--spawn/);
    expect(usageError(() => loadCheckoutConfig(["--gateway", "http://10.1.2.3:4000"], {}, path))).toMatch(/not local/);
  });

  it("seeds every member with points for all its holds twice over, at least 5,000", () => {
    const cfg = { customers: 200, holdRate: 100, holdDurationSec: 20, warmupSec: 5, holdPoints: 50 };
    expect(seedPointsPerCustomer(cfg)).toBe(5_000); // 2,500 holds: 13 each, 1,300 points
    expect(seedPointsPerCustomer({ ...cfg, holdRate: 1_000 })).toBe(2 * 125 * 50);
  });
});

const run = (over: Partial<RateRun>): RateRun => ({
  plannedRate: 200,
  warmupSec: 5,
  seconds: 30,
  sent: 6_000,
  achievedRate: 200,
  answeredRate: 199,
  statuses: { "200": 6_000 },
  errors: 0,
  firstError: null,
  latencyMs: { count: 6_000, p50: 4, p90: 7, p99: 12.5, max: 40 },
  cpuMsPerRequest: 1.25,
  ...over,
});

describe("the bars", () => {
  it("count 2xx, 409 and other answers apart", () => {
    expect(answerCounts({ "201": 90, "409": 7, "500": 2, "404": 1 })).toEqual({ ok: 90, conflicts: 7, other: 3 });
  });

  it("meet the quote bar at 200/s with p99 under 20 ms, every answer 2xx and the rate held", () => {
    expect(meetsQuoteBar([run({})])).toBe(true);
    expect(meetsQuoteBar([run({ plannedRate: 500 })])).toBeNull();
    expect(meetsQuoteBar([run({ latencyMs: { ...run({}).latencyMs, p99: 20 } })])).toBe(false);
    expect(meetsQuoteBar([run({ statuses: { "200": 5_999, "503": 1 } })])).toBe(false);
    expect(meetsQuoteBar([run({ errors: 1 })])).toBe(false);
    expect(meetsQuoteBar([run({ achievedRate: 150 })])).toBe(false);
    expect(meetsLatency(run({ latencyMs: distribution([]) }), 20)).toBeNull();
  });

  it("meet the codes bar when 100,000 codes are stored within 5 s as the admin waits", () => {
    const admin = { count: 100_000, inserted: 100_000, roundTripMs: 3_200, serverMs: 3_100 };
    expect(meetsCodesBar(admin)).toBe(true);
    expect(meetsCodesBar({ ...admin, roundTripMs: 5_000 })).toBe(false);
    expect(meetsCodesBar({ ...admin, inserted: 99_999 })).toBe(false);
    expect(meetsCodesBar({ ...admin, count: 10_000 })).toBeNull();
    expect(meetsCodesBar(null)).toBeNull();
  });
});

describe("the report", () => {
  const figures: CheckoutFigures = {
    system: "spawned",
    customers: 200,
    seedSeconds: 4.2,
    holdPoints: 50,
    couponCode: "BENCHQ-ABC",
    redemption: "set",
    quotes: [run({}), run({ plannedRate: 500, achievedRate: 498, latencyMs: distribution([30, 40]) })],
    quotesVia: "gateway",
    holds: run({ plannedRate: 100, statuses: { "201": 1_990, "409": 10 } }),
    voids: run({ plannedRate: 100 }),
    pureCodes: { count: 100_000, runsMs: [300, 250, 280] },
    adminCodes: { count: 100_000, inserted: 100_000, roundTripMs: 3_200, serverMs: 3_100 },
    memory: [{ name: "gateway", memory: { pid: 42, peakBytes: 200 * 2 ** 20, currentBytes: 150 * 2 ** 20 } }],
    benchPeakBytes: 100 * 2 ** 20,
  };

  it("prints each load, the bars and the memory", () => {
    const text = renderCheckout(figures);
    expect(text).toMatch(/quotes at 200\/s +200\/s sent of 200\/s planned .*; 199\/s answered/);
    expect(text).toMatch(/p99 12\.5 ms .*gateway CPU 1\.25 ms per request/);
    expect(text).toMatch(/1,990 2xx, 10 409/);
    expect(text).toMatch(/median 280\.0 ms/);
    expect(text).toMatch(/bar quotes p99 < 20 ms at 200\/s +yes/);
    expect(text).toMatch(/bar 100,000 codes < 5 s +yes/);
    expect(text).toMatch(/peak RSS gateway +200\.0 MB \(pid 42\)/);
  });

  it("names the API's CPU for quotes asked through tRPC, and the gateway's for the holds", () => {
    const text = renderCheckout({ ...figures, quotesVia: "api" });
    expect(text).toMatch(/quotes at 200\/s \(tRPC\) +200\/s sent/);
    expect(text).toMatch(/p99 12\.5 ms .*API CPU 1\.25 ms per request/);
    expect(text).toMatch(/holds \(50 points \+ coupon\)[\s\S]*gateway CPU/);
  });

  it("says the same in one JSON line", () => {
    const json = JSON.parse(toCheckoutJson(figures, 7));
    expect(json.bars).toEqual({
      quote: { rate: 200, p99Ms: 20, met: true },
      codes: { count: 100_000, ms: 5_000, met: true },
    });
    expect(json.holds).toMatchObject({ ok: 1_990, conflicts: 10, other: 0 });
    expect(json.codes.pure.medianMs).toBe(280);
    expect(json.memory.bench).toEqual({ pid: 7, peakRssBytes: 100 * 2 ** 20 });
  });
});

describe("a fixed-rate load", () => {
  it("sends the warm-up and the measured requests, and counts only the measured ones", async () => {
    const seen: number[] = [];
    const result = await runFixedRate({
      label: "test",
      ratePerSec: 2_000,
      warmupSec: 0.005,
      durationSec: 0.02,
      send: async (i) => {
        seen.push(i);
        if (i % 10 === 9) throw new Error("connection reset");
        return i % 5 === 0 ? 409 : 200;
      },
      signal: new AbortController().signal,
      progress: () => {},
    });
    expect(seen).toEqual(Array.from({ length: 50 }, (_, i) => i));
    expect(result.sent).toBe(40);
    // Measured are 10..49: 4 without an answer (19, 29, 39, 49), 409 for 10, 15, 20, ..., 45.
    expect(result.errors).toBe(4);
    expect(result.firstError).toBe("connection reset");
    expect(result.statuses).toEqual({ "200": 28, "409": 8 });
    expect(result.latencyMs.count).toBe(36);
    expect(result.cpuMsPerRequest).toBeNull();
    expect(result.answeredRate).toBeGreaterThan(0);
  });
});
