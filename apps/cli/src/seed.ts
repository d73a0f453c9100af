import { readFile } from "node:fs/promises";
import type { Db } from "@regulars/db";
import { seedDemo } from "@regulars/demo-data";
import { resolveDataDir } from "@regulars/embedded";
import { SingleBar } from "cli-progress";
import type { Command } from "commander";
import { z } from "zod";
import { openAnalytics } from "./analytics.ts";
import type { openDatabase } from "./database.ts";

type WithDatabase = <T>(fn: (db: Awaited<ReturnType<typeof openDatabase>>) => Promise<T>) => Promise<T>;

const SeedOptions = z.object({
  customers: z.coerce.number().int().min(1).max(10_000_000),
  days: z.coerce.number().int().min(1).max(3_650),
  seed: z.coerce.number().int().min(0).default(1),
  locations: z.coerce.number().int().min(1).max(999).default(20),
  tenant: z.string().optional(),
});

/** The tenant to seed: the one named, else the demo tenant `npm start` made, else the only tenant there is. */
async function chooseTenant(db: Db, named: string | undefined): Promise<string> {
  if (named) return named;
  const demo = await readFile(`${resolveDataDir({ override: process.env.REGULARS_DATA_DIR })}/demo-tenant.json`, "utf8")
    .then((s) => (JSON.parse(s) as { tenantId: string }).tenantId)
    .catch(() => null);
  if (demo && (await db.tenant.findUnique({ where: { id: demo } }))) return demo;
  const tenants = await db.tenant.findMany({ select: { id: true }, take: 2 });
  if (tenants.length === 1) return tenants[0]!.id;
  throw new Error(
    tenants.length
      ? "several tenants: name one with --tenant <id>"
      : "no tenant yet: start the system once (npm start) or create one (regulars tenant create)",
  );
}

export function registerSeedCommands(program: Command, withDatabase: WithDatabase): void {
  program
    .command("seed")
    .description("generated data")
    .command("demo")
    .description(
      "generate realistic customers, orders and app events for a tenant, straight into Postgres and ClickHouse",
    )
    .requiredOption("--customers <n>", "how many customers to add")
    .requiredOption("--days <d>", "history length: orders and events fall in the last D days")
    .option("--tenant <id>", "tenant id (default: the demo tenant, or the only tenant)")
    .option("--seed <n>", "random seed: the same seed gives the same customers", "1")
    .option("--locations <n>", "how many stores orders spread over", "20")
    .action(async (raw: Record<string, string>) => {
      const parsed = SeedOptions.safeParse(raw);
      if (!parsed.success) {
        for (const issue of parsed.error.issues) process.stderr.write(`--${issue.path.join(".")}: ${issue.message}\n`);
        process.exitCode = 2;
        return;
      }
      const opts = parsed.data;
      await withDatabase(async ({ db }) => {
        const tenantId = await chooseTenant(db, opts.tenant);
        const analytics = await openAnalytics(process.env);
        // A bar on a terminal; plain lines every tenth of the way when the output is a file or a CI log.
        const bar = process.stderr.isTTY
          ? new SingleBar({
              format:
                "seeding {bar} {percentage}% | {value}/{total} customers | {transactions} orders | {events} events | ETA {eta_formatted}",
              stream: process.stderr,
            })
          : null;
        bar?.start(opts.customers, 0, { transactions: 0, events: 0 });
        let reported = 0;
        const started = performance.now();
        try {
          const done = await seedDemo({
            db,
            analytics,
            tenantId,
            customers: opts.customers,
            days: opts.days,
            seed: opts.seed,
            locations: opts.locations,
            onProgress: (p) => {
              bar?.update(p.customers, { transactions: p.transactions, events: p.events });
              if (!bar && p.customers >= reported + opts.customers / 10) {
                reported = p.customers;
                process.stderr.write(
                  `seeded ${p.customers}/${p.of} customers, ${p.transactions} orders, ${p.events} events\n`,
                );
              }
            },
          });
          bar?.stop();
          const seconds = (performance.now() - started) / 1000;
          process.stdout.write(
            `tenant ${tenantId}: ${done.customers} customers, ${done.transactions} orders and refunds with ${done.lines} lines, ` +
              `${done.events} app events over ${opts.days} days in ${seconds.toFixed(1)} s\n`,
          );
        } finally {
          bar?.stop();
          await analytics.close();
        }
      });
    });
}
