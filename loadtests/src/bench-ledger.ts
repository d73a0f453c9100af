/**
 * `pnpm bench:ledger`: how fast the ledger worker applies transactions with the base rate alone, with a
 * full programme, and with the full programme for members who have years of visits behind them (the tier
 * window and the daily cap read by time), measured in one run on the same machine, plus what the rules
 * evaluation alone costs per transaction. Runs against a fresh database (dropped at the end) on DATABASE_URL's
 * server or the embedded Postgres, and its own JetStream namespace, so a running system is untouched.
 */
import { connectBus, ensureTopology, publishMany, transactionSubject } from "@regulars/bus";
import { defaultProgramme, type ProgrammeConfig, type TransactionMessage } from "@regulars/contracts";
import { createDb, createPgTransactionRunner, migrateDatabase } from "@regulars/db";
import { stableId } from "@regulars/ids";
import { createLogger, createMetricsRegistry } from "@regulars/logger";
import { evaluateEarning } from "@regulars/rules";
import { createTenant } from "@regulars/tenancy";
import { ledgerBacklog, startWorkers } from "@regulars/workers";
import { createBasketFactory, externalIdSequence, seededRandom } from "./baskets.ts";
import { BenchUsageError, benchFlagsOrExit, wholeFlag } from "./bench-flags.ts";
import { fullProgramme } from "./full-programme.ts";
import { seedLedgerHistory } from "./ledger-history.ts";
import { demoMenu } from "./menu.ts";
import { scratchDatabase } from "./postgres-admin.ts";

const usage = `Usage: pnpm bench:ledger [flags]

  --transactions <n>    transactions per case (default 20000)
  --batch <n>           the ledger worker's batch size (default 500)
  --history-weeks <n>   weeks of visits given to every member before the third case; 0 leaves it out (default 104)
  --transactions-via <pg|prisma>
                        what runs each batch's database transaction: a pg pool of the ledger's own, as the workers
                        run it (default pg), or a Prisma interactive transaction (for comparison)
  --json                print only the one-line JSON result on stdout
  --help`;

const transactionsVia = (raw: string) => {
  if (raw !== "pg" && raw !== "prisma")
    throw new BenchUsageError(`--transactions-via must be pg or prisma, got "${raw}"`);
  return raw;
};

const { count, batchSize, historyWeeks, via, json } = benchFlagsOrExit(
  usage,
  {
    transactions: { type: "string" },
    batch: { type: "string" },
    "history-weeks": { type: "string" },
    "transactions-via": { type: "string", default: "pg" },
    json: { type: "boolean", default: false },
  },
  (flags) => ({
    count: wholeFlag("transactions", flags.transactions, 20_000),
    batchSize: wholeFlag("batch", flags.batch, 500),
    historyWeeks: wholeFlag("history-weeks", flags["history-weeks"], 104, 0),
    via: transactionsVia(flags["transactions-via"]),
    json: flags.json,
  }),
);
const CUSTOMERS = 2_000;
const say = (msg: string) => process.stderr.write(`${msg}\n`);

async function main() {
  const natsUrl = process.env.NATS_URL ?? "nats://127.0.0.1:4222";
  const bus = await connectBus({ url: natsUrl, namespace: `bench${Date.now().toString(36)}` }).catch((e: Error) => {
    // `npm start` runs its own nats-server on a free port (recorded in .data/nats.json), not on 4222.
    throw new Error(
      `cannot reach NATS at ${natsUrl} (${e.message}): set NATS_URL, e.g. to the url in .data/nats.json of a running \`npm start\``,
    );
  });
  const scratch = await scratchDatabase(say);
  const db = createDb({ url: scratch.url, poolSize: 10 });
  const ledgerTransactions = via === "pg" ? createPgTransactionRunner({ url: scratch.url, poolSize: 3 }) : undefined;
  try {
    await migrateDatabase(scratch.url);
    await ensureTopology(bus, { duplicateWindowMs: 10 * 60 * 1000 });
    const results = [];
    const cases: [string, ProgrammeConfig, number][] = [
      ["base rate only", defaultProgramme, 0],
      ["full programme", fullProgramme, 0],
    ];
    if (historyWeeks > 0) cases.push(["full + history", fullProgramme, historyWeeks]);
    for (const [name, programme, weeks] of cases) results.push(await measure(name, programme, weeks));
    const rules = microBench();
    report(results, rules);
  } finally {
    for (const s of Object.values(bus.topology.streams)) await bus.jsm.streams.delete(s).catch(() => {});
    await bus.close();
    await db.$disconnect();
    await ledgerTransactions?.close();
    await scratch.drop();
  }

  async function pointsOf(tenantId: string): Promise<number> {
    const sum = await db.ledgerMovement.aggregate({ where: { tenantId }, _sum: { amount: true } });
    return Number(sum._sum.amount ?? 0);
  }

  async function measure(name: string, programme: ProgrammeConfig, weeks: number) {
    const tenant = await createTenant(
      db,
      { name: `Bench ${name}`, timezone: "Europe/Warsaw", currency: "EUR" },
      "bench",
    );
    await db.programmeVersion.create({
      data: {
        tenantId: tenant.tenantId,
        version: 2,
        effectiveFrom: new Date(1),
        config: programme,
        createdBy: "bench",
      },
    });
    if (weeks > 0) {
      say(`${name}: giving ${CUSTOMERS} members ${weeks} weeks of visits first (not timed)`);
      await seedLedgerHistory(db, {
        tenantId: tenant.tenantId,
        customers: CUSTOMERS,
        weeks,
        now: new Date(),
        progress: say,
      });
    }
    const basket = createBasketFactory({ menu: demoMenu, random: seededRandom(7), customers: CUSTOMERS });
    const pointsBefore = await pointsOf(tenant.tenantId);
    const nextId = externalIdSequence(`bench-${name.replace(/\W/g, "")}`);
    const messages = Array.from({ length: count }, () => {
      const transaction = basket(nextId());
      const message: TransactionMessage = {
        tenantId: tenant.tenantId,
        transactionId: stableId("transaction", tenant.tenantId, transaction.externalId),
        receivedAt: new Date().toISOString(),
        transaction: { ...transaction, couponCodes: [] },
      };
      return {
        subject: transactionSubject(bus.topology, tenant.tenantId, transaction),
        payload: message,
        msgId: `${tenant.tenantId}:${transaction.externalId}`,
      };
    });
    say(`${name}: publishing ${count} transactions`);
    await publishMany(bus.js, messages);
    const workers = await startWorkers({
      db,
      ledgerTransactions,
      bus,
      log: createLogger({ level: "warn" }),
      registry: createMetricsRegistry("bench"),
      enabled: ["ledger"],
      maxBatch: batchSize,
    });
    const started = performance.now();
    const cpuBefore = process.cpuUsage();
    for (;;) {
      const backlog = await ledgerBacklog(bus, db);
      if (backlog === 0) break;
      say(`  [${((performance.now() - started) / 1000).toFixed(1)} s] ${backlog} to apply`);
      await new Promise((r) => setTimeout(r, 500));
    }
    const seconds = (performance.now() - started) / 1000;
    const cpu = process.cpuUsage(cpuBefore);
    await workers.stop();
    const stored = await db.transaction.count({ where: { tenantId: tenant.tenantId } });
    const points = (await pointsOf(tenant.tenantId)) - pointsBefore;
    return {
      name,
      transactions: stored,
      seconds: +seconds.toFixed(2),
      appliedPerSec: Math.round(stored / seconds),
      /** This process's CPU (the ledger worker, and the bench's backlog polls) per transaction applied. */
      nodeCpuMsPerTx: +((cpu.user + cpu.system) / 1000 / stored).toFixed(3),
      pointsPosted: points,
    };
  }
}

/** The rules evaluation alone, on the same kind of baskets, after warm-up. */
function microBench() {
  const basket = createBasketFactory({ menu: demoMenu, random: seededRandom(11) });
  const nextId = externalIdSequence("micro");
  const inputs = Array.from({ length: 1_000 }, () => basket(nextId()));
  const customer = { tier: "silver", dateOfBirth: "1990-06-15", earnedToday: 40 };
  const time = (programme: ProgrammeConfig) => {
    const run = (n: number) => {
      for (let i = 0; i < n; i++) evaluateEarning(programme, inputs[i % inputs.length]!, customer, "Europe/Warsaw");
    };
    run(20_000);
    const n = 100_000;
    const t0 = performance.now();
    run(n);
    return +(((performance.now() - t0) * 1000) / n).toFixed(2);
  };
  return { baseMicros: time(defaultProgramme), fullMicros: time(fullProgramme) };
}

function report(
  results: {
    name: string;
    transactions: number;
    seconds: number;
    appliedPerSec: number;
    nodeCpuMsPerTx: number;
    pointsPosted: number;
  }[],
  rules: { baseMicros: number; fullMicros: number },
) {
  const peakRss = process.resourceUsage().maxRSS * 1024;
  const summary = { results, rules, peakRssBytes: peakRss, batch: batchSize, transactionsVia: via };
  if (json) {
    process.stdout.write(`${JSON.stringify(summary)}\n`);
    return;
  }
  const lines = [
    "",
    ...results.map(
      (r) =>
        `${r.name.padEnd(16)} ${String(r.transactions).padStart(7)} tx in ${r.seconds.toFixed(2).padStart(6)} s → ${String(r.appliedPerSec).padStart(6)} tx/s applied, ${r.nodeCpuMsPerTx.toFixed(3)} ms Node CPU/tx (${r.pointsPosted} points posted)`,
    ),
    `slowdown         ${(results[0]!.appliedPerSec / results[1]!.appliedPerSec).toFixed(2)}× fewer tx/s with the full programme`,
    ...(results[2]
      ? [
          `history          ${(results[1]!.appliedPerSec / results[2]!.appliedPerSec).toFixed(2)}× fewer tx/s when members have ${historyWeeks} weeks of visits behind them`,
        ]
      : []),
    `rules evaluation ${rules.baseMicros} µs/tx base rate, ${rules.fullMicros} µs/tx full programme`,
    `peak RSS (bench + in-process ledger worker) ${(peakRss / 1024 / 1024).toFixed(1)} MB`,
    `batch transactions via ${via === "pg" ? "the ledger's pg pool (as the workers run)" : "Prisma interactive transactions"}`,
    "",
    JSON.stringify(summary),
  ];
  process.stdout.write(`${lines.join("\n")}\n`);
}

main().catch((e) => {
  say(`bench:ledger failed: ${(e as Error).stack ?? e}`);
  process.exit(1);
});
