/**
 * `pnpm bench:keys`: what a flood of made-up API keys costs a running system. A legitimate POS client posts
 * transactions throughout; halfway, 12,000 requests with unique bogus keys arrive. Prints the server's RSS
 * before and after, and the legitimate client's p99 latency alone and during the flood.
 *
 *   --format checksummed   well-formed keys of the current format (refused by checksum, no lookup)
 *   --format legacy        keys shaped like the pre-checksum format (each looked up once, cached negatively)
 *
 * Run the server with RATE_LIMIT_POS=off: the legitimate client posts as fast as it can.
 */
import { randomBytes } from "node:crypto";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { createBasketFactory, externalIdSequence, newRunId } from "./baskets.ts";
import { BenchUsageError, loadConfig } from "./config.ts";
import { demoMenu } from "./menu.ts";
import { readProcessMemory } from "./rss.ts";

const { values } = parseArgs({
  options: {
    keys: { type: "string", default: "12000" },
    concurrency: { type: "string", default: "64" },
    format: { type: "string", default: "checksummed" },
    "legit-seconds": { type: "string", default: "8" },
    "data-dir": { type: "string" },
  },
  strict: false,
});
// The system to measure: the one recorded in <repo>/.data, or in --data-dir (its REGULARS_DATA_DIR).
const loaded = loadConfig(
  [],
  typeof values["data-dir"] === "string" ? join(values["data-dir"], "server.json") : undefined,
);
if (!loaded) process.exit(0);
const target = loaded.target;
if (target.kind !== "running" || !target.serverPid)
  throw new BenchUsageError("no running server found in .data/server.json: start the system with `npm start`");
const cfg = { ...target, serverPid: target.serverPid };

const url = new URL("/v1/transactions", cfg.gatewayUrl);
const alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
const bogusKey = () =>
  values.format === "legacy"
    ? `rk_pos_${randomBytes(20).toString("base64url")}`
    : `rk_pos_${Array.from(randomBytes(33), (b) => alphabet[b % 62]).join("")}`;
const rssMb = () => Math.round((readProcessMemory(cfg.serverPid)?.currentBytes ?? 0) / 1024 / 1024);
const p99 = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length * 0.99)] ?? NaN;

const nextBasket = createBasketFactory({ menu: demoMenu });
const nextId = externalIdSequence(`keys-${newRunId()}`);
async function post(key: string, body: unknown): Promise<number> {
  const res = await fetch(url, {
    method: "POST",
    headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  await res.arrayBuffer();
  return res.status;
}

/** Four connections of a legitimate till, each posting one transaction after another until `until`. */
async function legitimate(until: () => boolean): Promise<number[]> {
  const latencies: number[] = [];
  await Promise.all(
    Array.from({ length: 4 }, async () => {
      while (!until()) {
        const started = performance.now();
        const status = await post(cfg.posKey, nextBasket(nextId()));
        latencies.push(performance.now() - started);
        if (status !== 202 && status !== 429) throw new Error(`the legitimate client got HTTP ${status}`);
      }
    }),
  );
  return latencies;
}

const legitMs = Number(values["legit-seconds"]) * 1000;
const rssBefore = rssMb();
const stop = Date.now() + legitMs;
const alone = await legitimate(() => Date.now() > stop);

const total = Number(values.keys);
let sent = 0;
const statuses = new Map<number, number>();
let flooding = true;
const flood = Promise.all(
  Array.from({ length: Number(values.concurrency) }, async () => {
    while (sent < total) {
      sent++;
      const status = await post(bogusKey(), nextBasket(nextId()));
      statuses.set(status, (statuses.get(status) ?? 0) + 1);
    }
  }),
).finally(() => (flooding = false));
const during = await legitimate(() => !flooding);
await flood;
const rssAfter = rssMb();

const result = {
  format: values.format,
  bogusKeys: total,
  bogusStatuses: Object.fromEntries(statuses),
  serverRssMb: { before: rssBefore, after: rssAfter },
  legitP99Ms: { alone: Math.round(p99(alone) * 10) / 10, duringFlood: Math.round(p99(during) * 10) / 10 },
  legitRequests: { alone: alone.length, duringFlood: during.length },
};
process.stdout.write(`${JSON.stringify(result)}\n`);
