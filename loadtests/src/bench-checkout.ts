/**
 * `pnpm bench:checkout`: quotes and holds at fixed rates against members with points and a coupon, and the time
 * to generate 100,000 unique coupon codes. The bars: quote p99 under 20 ms at 200/s; the codes within 5 s. See
 * loadtests/README.md.
 */
import { newRunId } from "./baskets.ts";
import { createCheckoutBasketFactory, holdBody, quoteBody } from "./checkout-baskets.ts";
import { timeAdminGeneration, timePureGeneration } from "./checkout-codes.ts";
import { checkoutUsage, loadCheckoutConfig, seedPointsPerCustomer } from "./checkout-config.ts";
import { jsonRequest, parseJson } from "./checkout-http.ts";
import { type CheckoutFigures, renderCheckout, toCheckoutJson } from "./checkout-report.ts";
import { type RateRun, runFixedRate } from "./checkout-run.ts";
import { seedCustomers, setUpCheckoutTenant } from "./checkout-seed.ts";
import { abortOnInterrupt } from "./interrupt.ts";
import { demoMenu } from "./menu.ts";
import { benchPeakRssBytes, findNatsServerPid, readProcessMemory } from "./rss.ts";
import { BenchUsageError } from "./running-system.ts";
import { type SpawnedSystem, spawnSystem } from "./spawn-system.ts";

const progress = (line: string) => process.stderr.write(`${line}\n`);

interface Target {
  gatewayUrl: string;
  apiUrl: string;
  posKey: string;
  adminKey: string;
}

/** One quote before the loads: a wrong key, a missing route or a coupon that does not apply fails loudly here. */
async function preflightQuote(t: Target, body: ReturnType<typeof quoteBody>): Promise<void> {
  const res = await jsonRequest(`${t.gatewayUrl}/v1/checkout/quote`, t.posKey, "POST", body);
  const quote = parseJson(res.text) as {
    coupons?: { applicable: boolean }[];
    points?: { applied: number; refusal: { code: string } | null };
  } | null;
  if (res.status !== 200 || !quote?.coupons?.[0]?.applicable || quote.points?.applied !== body.points)
    throw new BenchUsageError(
      `a quote with the bench's coupon and ${body.points} points did not apply both (HTTP ${res.status}): ${res.text.slice(0, 500)}`,
    );
}

async function main(): Promise<number> {
  const controller = abortOnInterrupt(progress);
  const { signal } = controller;
  let spawned: SpawnedSystem | null = null;
  let failed = false;
  try {
    const cfg = loadCheckoutConfig();
    if (!cfg) {
      process.stdout.write(`${checkoutUsage}\n`);
      return 0;
    }
    let target: Target;
    let processes: { name: string; pid: number }[];
    if (cfg.target.kind === "spawn") {
      spawned = await spawnSystem({
        ledgerWorkers: cfg.target.ledgerWorkers,
        api: true,
        log: progress,
        gatewayNodeFlags: cfg.cpuProfDir ? ["--cpu-prof", `--cpu-prof-dir=${cfg.cpuProfDir}`] : [],
      });
      target = {
        gatewayUrl: spawned.gatewayUrl,
        apiUrl: spawned.apiUrl!,
        posKey: spawned.keys.pos,
        adminKey: spawned.keys.admin,
      };
      processes = [spawned.gateway, ...spawned.workers, spawned.api!].map((c) => ({ name: c.name, pid: c.pid }));
      const nats = findNatsServerPid(spawned.natsUrl);
      if (nats !== null) processes.push({ name: "nats-server", pid: nats });
    } else {
      target = cfg.target;
      processes = cfg.target.serverPid === null ? [] : [{ name: "server", pid: cfg.target.serverPid }];
    }
    // Its CPU per request: a figure the other work on the machine does not change.
    const gatewayPid = spawned ? spawned.gateway.pid : cfg.target.kind === "running" ? cfg.target.serverPid : null;
    const apiPid = spawned ? spawned.api!.pid : gatewayPid;
    const runId = newRunId();
    const setup = await setUpCheckoutTenant(target, runId, spawned !== null);
    progress(`tenant: coupon ${setup.couponCode}, redemption rate ${setup.redemption}`);
    const pointsEach = seedPointsPerCustomer(cfg);
    const { phones, seconds: seedSeconds } = await seedCustomers({
      ...target,
      customers: cfg.customers,
      pointsEach,
      runId,
      pollBatch: spawned ? 100 : 20,
      timeoutSec: 120,
      signal,
      progress,
    });

    const nextBasket = createCheckoutBasketFactory({ menu: demoMenu });
    const randomPhone = () => phones[Math.floor(Math.random() * phones.length)]!;
    const coupon = { couponCodes: [setup.couponCode] };
    await preflightQuote(target, quoteBody(phones[0]!, nextBasket(), { ...coupon, points: 100 }));

    const quotes: RateRun[] = [];
    for (const rate of cfg.quoteRates) {
      if (signal.aborted) break;
      progress(`quotes: ${rate}/s for ${cfg.warmupSec} s of warm-up and ${cfg.quoteDurationSec} s measured`);
      quotes.push(
        await runFixedRate({
          label: `quote ${rate}/s`,
          ratePerSec: rate,
          warmupSec: cfg.warmupSec,
          durationSec: cfg.quoteDurationSec,
          // Random members, a new basket each, the coupon and 50 or 100 points.
          send: async (): Promise<number> => {
            const body = quoteBody(randomPhone(), nextBasket(), { ...coupon, points: Math.random() < 0.5 ? 50 : 100 });
            if (cfg.quotesVia === "gateway")
              return (await jsonRequest(`${target.gatewayUrl}/v1/checkout/quote`, target.posKey, "POST", body)).status;
            const input = encodeURIComponent(JSON.stringify(body));
            return (await jsonRequest(`${target.apiUrl}/trpc/checkout.quote?input=${input}`, target.posKey, "GET"))
              .status;
          },
          cpuPid: cfg.quotesVia === "gateway" ? gatewayPid : apiPid,
          signal,
          progress,
        }),
      );
    }

    let holds: RateRun | null = null;
    let voids: RateRun | null = null;
    const holdIds: string[] = [];
    if (!signal.aborted) {
      progress(
        `holds: ${cfg.holdRate}/s for ${cfg.warmupSec} s of warm-up and ${cfg.holdDurationSec} s measured, ${cfg.holdPoints} points + the coupon each, members in turn`,
      );
      holds = await runFixedRate({
        label: "hold",
        ratePerSec: cfg.holdRate,
        warmupSec: cfg.warmupSec,
        durationSec: cfg.holdDurationSec,
        send: async (i): Promise<number> => {
          const body = holdBody(phones[i % phones.length]!, nextBasket(), { ...coupon, points: cfg.holdPoints });
          const res = await jsonRequest(`${target.gatewayUrl}/v1/checkout/holds`, target.posKey, "POST", body);
          const holdId = res.status === 201 ? (parseJson(res.text) as { holdId?: string } | null)?.holdId : undefined;
          if (holdId) holdIds.push(holdId);
          return res.status;
        },
        cpuPid: gatewayPid,
        signal,
        progress,
      });
    }
    if (!signal.aborted && holdIds.length > 0) {
      progress(`voids: the ${holdIds.length} holds placed, at ${cfg.holdRate}/s`);
      voids = await runFixedRate({
        label: "void",
        ratePerSec: cfg.holdRate,
        warmupSec: 0,
        durationSec: holdIds.length / cfg.holdRate,
        send: async (i) =>
          (await jsonRequest(`${target.gatewayUrl}/v1/checkout/holds/${holdIds[i]}`, target.posKey, "DELETE")).status,
        cpuPid: gatewayPid,
        signal,
        progress,
      });
    }

    let pureCodes: CheckoutFigures["pureCodes"] = null;
    let adminCodes: CheckoutFigures["adminCodes"] = null;
    if (!signal.aborted && cfg.codes > 0) {
      progress(`codes: generating ${cfg.codes.toLocaleString("en-US")} in this process, then through the admin API`);
      pureCodes = timePureGeneration(cfg.codes);
      adminCodes = await timeAdminGeneration(target, runId, cfg.codes);
    }
    if (signal.aborted) return 130;

    const memory = processes.map((p) => ({ name: p.name, memory: readProcessMemory(p.pid) }));
    const system = spawned
      ? `spawned: gateway, ${spawned.workers.length} ledger worker process(es) and the API each in its own process`
      : `running system at ${target.gatewayUrl}`;
    const figures: CheckoutFigures = {
      system,
      customers: phones.length,
      seedSeconds,
      holdPoints: cfg.holdPoints,
      couponCode: setup.couponCode,
      redemption: setup.redemption,
      quotes,
      quotesVia: cfg.quotesVia,
      holds,
      voids,
      pureCodes,
      adminCodes,
      memory,
      benchPeakBytes: benchPeakRssBytes(),
    };
    if (!cfg.json) process.stdout.write(`\n${renderCheckout(figures)}\n\n`);
    process.stdout.write(`${toCheckoutJson(figures, process.pid)}\n`);
    return 0;
  } catch (e) {
    failed = true;
    if (signal.aborted) return 130;
    progress(e instanceof BenchUsageError ? e.message : `bench failed: ${(e as Error).stack ?? e}`);
    return 1;
  } finally {
    await spawned?.stop({ keepLogs: failed });
  }
}

process.exit(await main());
