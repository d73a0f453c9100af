/**
 * `pnpm bench:analytics`: how fast the analytics writer's inserts go into ClickHouse (transactions and their
 * lines, in the writer's batches of 2,000), and how long an analyst's segment-style aggregate over them takes.
 * chdb in a temporary folder by default (what `npm start` runs); CLICKHOUSE_URL for a ClickHouse server. A
 * database of its own, dropped at the end.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createAnalytics, type TransactionFact } from "@regulars/analytics";
import { createBasketFactory, externalIdSequence, seededRandom } from "./baskets.ts";
import { benchFlagsOrExit, wholeFlag } from "./bench-flags.ts";
import { demoMenu } from "./menu.ts";

const usage = `Usage: pnpm bench:analytics [flags]

  --transactions <n>    transactions inserted (default 200000)
  --batch <n>           transactions per insert, as the analytics writer batches them (default 2000)
  --json                print only the one-line JSON result on stdout
  --help

  CLICKHOUSE_URL (with CLICKHOUSE_USER, CLICKHOUSE_PASSWORD) measures a ClickHouse server instead of chdb.`;

const { total, batchSize, json } = benchFlagsOrExit(
  usage,
  { transactions: { type: "string" }, batch: { type: "string" }, json: { type: "boolean", default: false } },
  (flags) => ({
    total: wholeFlag("transactions", flags.transactions, 200_000),
    batchSize: wholeFlag("batch", flags.batch, 2_000),
    json: flags.json,
  }),
);
const say = (msg: string) => process.stderr.write(`${msg}\n`);
const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!;

async function main() {
  const folder = process.env.CLICKHOUSE_URL ? null : mkdtempSync(join(tmpdir(), "regulars-bench-ch-"));
  const database = `bench_${Date.now().toString(36)}`;
  const analytics = await createAnalytics(
    process.env.CLICKHOUSE_URL
      ? {
          kind: "http",
          url: process.env.CLICKHOUSE_URL,
          username: process.env.CLICKHOUSE_USER,
          password: process.env.CLICKHOUSE_PASSWORD,
          database,
        }
      : { kind: "chdb", path: folder!, database },
  );
  try {
    await analytics.migrate();
    const basket = createBasketFactory({ menu: demoMenu, random: seededRandom(3), customers: 20_000 });
    const nextId = externalIdSequence("ch");
    const tenantId = "tn_bench";
    const facts = (n: number): TransactionFact[] =>
      Array.from({ length: n }, () => {
        const b = basket(nextId());
        return {
          tenantId,
          transactionId: `txn_${b.externalId}`,
          externalId: b.externalId,
          type: "sale",
          refundOf: null,
          occurredAt: b.occurredAt,
          locationId: b.locationId,
          channel: b.channel,
          customerId: b.customer ? `cus_${b.customer.phone}` : null,
          currency: b.currency,
          total: b.total,
          discountTotal: b.lines.reduce((a, l) => a + l.discount, 0),
          points: Math.floor(b.total / 100),
          lines: b.lines.map((l, lineNo) => ({ ...l, lineNo, amount: l.quantity * l.unitPrice - l.discount })),
        };
      });

    say(`inserting ${total} transactions in batches of ${batchSize}`);
    const batchMs: number[] = [];
    let lines = 0;
    const started = performance.now();
    for (let done = 0; done < total; done += batchSize) {
      const batch = facts(Math.min(batchSize, total - done));
      lines += batch.reduce((a, f) => a + f.lines.length, 0);
      const t0 = performance.now();
      await analytics.insertTransactions(batch);
      batchMs.push(performance.now() - t0);
      if (batchMs.length % 20 === 0) say(`  ${done + batch.length} inserted`);
    }
    const seconds = (performance.now() - started) / 1000;
    const insertSeconds = batchMs.reduce((a, b) => a + b, 0) / 1000;

    // An analyst's question: customers with ≥ 2 orders and a vegetarian share ≥ 30 % (a segment of SPEC).
    const t0 = performance.now();
    const result = await analytics.client.query({
      query: `SELECT count() AS customers FROM (
                SELECT customer_id, uniqExact(transaction_id) AS orders,
                       sumIf(quantity, has(tags, 'vegetarian')) / sum(quantity) AS veg
                FROM ${database}.transaction_lines FINAL WHERE tenant_id = {tenant:String} AND customer_id != ''
                GROUP BY customer_id HAVING orders >= 2 AND veg >= 0.3)`,
      query_params: { tenant: tenantId },
      format: "JSONEachRow",
    });
    const [{ customers }] = (await result.json()) as [{ customers: string }];
    const segmentMs = performance.now() - t0;

    const sorted = [...batchMs].sort((a, b) => a - b);
    const summary = {
      engine: process.env.CLICKHOUSE_URL ? "ClickHouse server over HTTP" : "chdb (in-process)",
      transactions: total,
      lines,
      batchSize,
      seconds: +seconds.toFixed(2),
      transactionsPerSec: Math.round(total / insertSeconds),
      rowsPerSec: Math.round((total + lines) / insertSeconds),
      batchMs: { p50: +percentile(sorted, 0.5).toFixed(1), p99: +percentile(sorted, 0.99).toFixed(1) },
      segment: { customers: Number(customers), ms: Math.round(segmentMs) },
      peakRssBytes: process.resourceUsage().maxRSS * 1024,
    };
    if (json) {
      process.stdout.write(`${JSON.stringify(summary)}\n`);
      return;
    }
    process.stdout.write(
      [
        "",
        `engine            ${summary.engine}`,
        `inserted          ${total} transactions + ${lines} lines in ${summary.seconds} s`,
        `insert rate       ${summary.transactionsPerSec} transactions/s (${summary.rowsPerSec} rows/s), batch of ${batchSize}: p50 ${summary.batchMs.p50} ms, p99 ${summary.batchMs.p99} ms`,
        `segment query     ${summary.segment.customers} customers with ≥ 2 orders and ≥ 30 % vegetarian items, in ${summary.segment.ms} ms`,
        `peak RSS (bench with chdb in-process) ${(summary.peakRssBytes / 1024 / 1024).toFixed(1)} MB`,
        "",
        JSON.stringify(summary),
        "",
      ].join("\n"),
    );
  } finally {
    await analytics.client.command({ query: `DROP DATABASE IF EXISTS ${database}` }).catch(() => undefined);
    await analytics.close();
    if (folder) rmSync(folder, { recursive: true, force: true });
  }
}

main().catch((e) => {
  say(`bench:analytics failed: ${(e as Error).stack ?? e}`);
  process.exit(1);
});
