/**
 * `pnpm bench:webhooks`: how fast the webhook sender delivers to a local receiver. Deliveries are enqueued into
 * Postgres as the webhook-fanout consumer enqueues them (one statement per batch) and sent by the sender (signed,
 * bounded concurrency, per-endpoint limit). Measures: deliveries/s draining a burst, enqueue-to-receipt p50/p99
 * at a steady rate, peak RSS; and, in the same run, raw signed POSTs/s to the same receiver at the same
 * concurrency (the ceiling of the HTTP path without Postgres). A fresh database on DATABASE_URL's server or the
 * embedded Postgres, dropped at the end.
 */
import { createDb, type Db, migrateDatabase } from "@regulars/db";
import { silentLogger } from "@regulars/logger";
import { createTenant } from "@regulars/tenancy";
import { newWebhookSecret, signedHeaders } from "@regulars/webhooks";
import { createEndpoint, enqueueDeliveries } from "@regulars/webhooks-store";
import { createWebhookSender } from "@regulars/workers";
import { benchFlagsOrExit, positiveFlag, wholeFlag } from "./bench-flags.ts";
import { scratchDatabase } from "./postgres-admin.ts";
import { type BenchReceiver, startBenchReceiver } from "./webhook-bench-receiver.ts";

const usage = `Usage: pnpm bench:webhooks [flags]

  --deliveries <n>      events of the burst, each delivered to every endpoint; half as many at the steady rate
                        (default 3000)
  -r, --rate <n>        events per second of the steady phase (default 30)
  --endpoints <n>       endpoints subscribed to every event (default 8)
  --concurrency <n>     deliveries in flight at most, shared by the endpoints (default 32)
  --json                print only the one-line JSON result on stdout
  --help

  DATABASE_URL names the Postgres server (default: an embedded one).`;

const { total, rate, endpointCount, concurrency, json } = benchFlagsOrExit(
  usage,
  {
    deliveries: { type: "string" },
    rate: { type: "string", short: "r" },
    endpoints: { type: "string" },
    concurrency: { type: "string" },
    json: { type: "boolean", default: false },
  },
  (flags) => ({
    total: wholeFlag("deliveries", flags.deliveries, 3_000),
    rate: positiveFlag("rate", flags.rate, 30),
    endpointCount: wholeFlag("endpoints", flags.endpoints, 8),
    concurrency: wholeFlag("concurrency", flags.concurrency, 32),
    json: flags.json,
  }),
);
const say = (msg: string) => process.stderr.write(`${msg}\n`);
const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? 0;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let eventNo = 0;
const events = (tenantId: string, n: number) =>
  Array.from({ length: n }, () => ({
    type: "points.earned",
    id: `bench:${++eventNo}`,
    tenantId,
    customerId: `cus_bench${eventNo % 1000}`,
    occurredAt: new Date().toISOString(),
    points: 10,
    balance: 10 * eventNo,
    enqueuedAt: Date.now(),
  }));

async function waitFor(receiver: BenchReceiver, count: number, timeoutMs = 300_000) {
  const deadline = Date.now() + timeoutMs;
  while ((await receiver.count()) < count) {
    if (Date.now() > deadline) throw new Error(`only ${await receiver.count()} of ${count} deliveries arrived`);
    await sleep(20);
  }
}

/** Every delivery enqueued at once (batches of 500): how fast the sender drains them. */
async function burst(db: Db, tenantId: string, receiver: BenchReceiver) {
  const started = performance.now();
  for (let done = 0; done < total; done += 500)
    await enqueueDeliveries(db, events(tenantId, Math.min(500, total - done)));
  const enqueuedMs = performance.now() - started;
  await waitFor(receiver, total * endpointCount);
  const seconds = (performance.now() - started) / 1000;
  const { latencies } = await receiver.take();
  const sorted = latencies.sort((a, b) => a - b);
  return {
    deliveries: total * endpointCount,
    enqueueMs: Math.round(enqueuedMs),
    seconds: +seconds.toFixed(2),
    deliveriesPerSec: Math.round((total * endpointCount) / seconds),
    lastReceiptMs: Math.round(sorted.at(-1) ?? 0),
  };
}

/** Events at `rate` per second in batches of 20 ms: the time from enqueue to receipt when the sender keeps up. */
async function steady(db: Db, tenantId: string, receiver: BenchReceiver) {
  const events_ = Math.max(1, Math.floor(total / 2));
  const perTick = Math.max(1, Math.round((rate * 20) / 1000));
  const started = performance.now();
  for (let sent = 0; sent < events_; sent += perTick) {
    await enqueueDeliveries(db, events(tenantId, Math.min(perTick, events_ - sent)));
    const due = started + ((sent + perTick) / rate) * 1000;
    await sleep(Math.max(0, due - performance.now()));
  }
  await waitFor(receiver, events_ * endpointCount);
  const { latencies } = await receiver.take();
  const sorted = latencies.sort((a, b) => a - b);
  return {
    events: events_,
    eventsPerSec: rate,
    deliveries: events_ * endpointCount,
    latencyMs: { p50: percentile(sorted, 0.5), p99: percentile(sorted, 0.99), max: sorted.at(-1) ?? 0 },
  };
}

/** Signed POSTs straight to the receiver at the same concurrency: no Postgres, no claims. */
async function rawPosts(url: string) {
  const secret = newWebhookSecret();
  const body = JSON.stringify({ type: "points.earned", timestamp: new Date().toISOString(), data: events("t", 1)[0] });
  const requests = total * endpointCount;
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < requests) {
        next++;
        const response = await fetch(url, {
          method: "POST",
          headers: {
            "content-type": "application/json",
            ...signedHeaders(`whd_raw${next}`, new Date(), body, [secret]),
          },
          body,
        });
        await response.body?.cancel();
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  return { requests, seconds: +seconds.toFixed(2), postsPerSec: Math.round(requests / seconds) };
}

async function main() {
  const scratch = await scratchDatabase(say);
  const db = createDb({ url: scratch.url, poolSize: 10 });
  const receiver = await startBenchReceiver();
  const sender = createWebhookSender({
    db,
    log: silentLogger,
    concurrency,
    perEndpoint: Math.max(1, Math.ceil(concurrency / endpointCount)),
    pollMs: 50,
    urlPolicy: { allowPrivateNetworks: true },
  });
  try {
    await migrateDatabase(scratch.url);
    const { tenantId } = await createTenant(db, { name: "Webhook Bench", timezone: "UTC", currency: "EUR" }, "bench");
    for (let i = 0; i < endpointCount; i++)
      await createEndpoint(db, tenantId, { url: `${receiver.url}/${i}`, eventTypes: ["points.*"] }, "bench", {
        allowPrivateNetworks: true,
      });
    sender.start();
    say(`burst: ${total} events to ${endpointCount} endpoints, ${concurrency} in flight at most`);
    const drained = await burst(db, tenantId, receiver);
    say(`steady: ${Math.floor(total / 2)} events at ${rate}/s`);
    const paced = await steady(db, tenantId, receiver);
    await sender.stop();
    say(`reference: ${total * endpointCount} signed POSTs straight to the receiver`);
    const raw = await rawPosts(receiver.url);
    const summary = {
      endpoints: endpointCount,
      concurrency,
      burst: drained,
      steady: paced,
      raw,
      peakRssBytes: process.resourceUsage().maxRSS * 1024,
    };
    if (json) {
      process.stdout.write(`${JSON.stringify(summary)}\n`);
      return;
    }
    process.stdout.write(
      [
        "",
        `burst             ${drained.deliveries} deliveries in ${drained.seconds} s: ${drained.deliveriesPerSec} deliveries/s (enqueued in ${drained.enqueueMs} ms)`,
        `steady            ${paced.eventsPerSec} events/s × ${endpointCount} endpoints: enqueue → receipt p50 ${paced.latencyMs.p50} ms, p99 ${paced.latencyMs.p99} ms, max ${paced.latencyMs.max} ms`,
        `raw signed POSTs  ${raw.postsPerSec} requests/s at ${concurrency} in flight (same receiver, no Postgres)`,
        `peak RSS          ${(summary.peakRssBytes / 1024 / 1024).toFixed(1)} MB (bench process: sender, receiver thread)`,
        "",
        JSON.stringify(summary),
        "",
      ].join("\n"),
    );
  } finally {
    await sender.stop();
    await receiver.close();
    await db.$disconnect();
    await scratch.drop();
  }
}

main().catch((e) => {
  say(`bench:webhooks failed: ${(e as Error).stack ?? e}`);
  process.exit(1);
});
