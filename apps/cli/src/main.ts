import { migrateDatabase } from "@regulars/db";
import { envNumber } from "@regulars/runtime";
import { createTenant, NewTenant, setTenantLanguage } from "@regulars/tenancy";
import { Command } from "commander";
import { z } from "zod";
import { action, UsageError } from "./command-kit.ts";
import { registerCouponCommands } from "./coupons.ts";
import { registerCustomerCommands } from "./customers.ts";
import { openDatabase } from "./database.ts";
import { registerDlqCommands } from "./dlq.ts";
import { registerKeyCommands } from "./keys.ts";
import { cancelScheduledFromCli, setProgrammeFromFile, showProgramme } from "./programme.ts";
import { registerSeedCommands } from "./seed.ts";
import { registerStaffCommands } from "./staff.ts";

/** Operator commands: `pnpm regulars <command>`. */
/** The gateway's clock-skew allowance, from the deployment's environment: a version starting within it is not cancelled. */
const SkewEnv = z.object({ OCCURRED_AT_MAX_AHEAD_SECONDS: envNumber(z.coerce.number().int().min(0).optional()) });

const program = new Command("regulars").description("Regulars operator commands").showHelpAfterError();

const withDatabase = async <T>(fn: (db: Awaited<ReturnType<typeof openDatabase>>) => Promise<T>) => {
  const database = await openDatabase(process.env);
  try {
    await migrateDatabase(database.url, (m) => process.stderr.write(`${m}\n`));
    return await fn(database);
  } finally {
    await database.close();
  }
};

program
  .command("db")
  .description("database maintenance")
  .command("migrate")
  .description("apply pending Postgres migrations")
  .action(async () => {
    const database = await openDatabase(process.env);
    try {
      const result = await migrateDatabase(database.url, (m) => process.stderr.write(`${m}\n`));
      process.stdout.write(
        `applied ${result.applied.length} migration(s); ${result.alreadyApplied.length} already applied\n`,
      );
    } finally {
      await database.close();
    }
  });

const tenant = program.command("tenant").description("tenants and their API keys");

tenant
  .command("create")
  .description("create a tenant with one API key per role (admin, pos, kiosk, analyst, app)")
  .requiredOption("--name <name>", "brand name")
  .requiredOption("--timezone <tz>", "IANA time zone, e.g. Europe/Warsaw")
  .requiredOption("--currency <code>", "ISO 4217 currency, e.g. EUR")
  .option("--language <tag>", "language customers are written to when theirs is unknown, e.g. pl", "en")
  .option("--json", "print machine-readable JSON")
  .action(async (opts: { name: string; timezone: string; currency: string; language: string; json?: boolean }) => {
    const { name, timezone, currency, language } = opts;
    const input = NewTenant.safeParse({ name, timezone, currency, language });
    if (!input.success) {
      for (const issue of input.error.issues) process.stderr.write(`--${issue.path.join(".")}: ${issue.message}\n`);
      process.exitCode = 2;
      return;
    }
    const created = await withDatabase(({ db }) => createTenant(db, input.data, "cli"));
    if (opts.json) {
      process.stdout.write(`${JSON.stringify(created)}\n`);
      return;
    }
    process.stdout.write(
      `Tenant ${created.tenantId} created. Keep these keys now: only their hashes are stored.\n` +
        Object.entries(created.apiKeys)
          .map(([role, key]) => `  ${role.padEnd(8)} ${key}`)
          .join("\n") +
        "\n",
    );
  });

tenant
  .command("list")
  .description("list tenants")
  .option("--json", "print machine-readable JSON")
  .action(async (opts: { json?: boolean }) => {
    const tenants = await withDatabase(({ db }) => db.tenant.findMany({ orderBy: { createdAt: "asc" } }));
    const rows = tenants.map((t) => ({
      id: t.id,
      name: t.name,
      timezone: t.timezone,
      currency: t.currency,
      language: t.language,
      createdAt: t.createdAt.toISOString(),
    }));
    if (opts.json) process.stdout.write(`${JSON.stringify(rows)}\n`);
    else
      for (const r of rows) process.stdout.write(`${r.id}  ${r.name}  ${r.timezone}  ${r.currency}  ${r.language}\n`);
  });

tenant
  .command("set-language")
  .description("set the language customers are written to when theirs is unknown (the till's code, templates)")
  .requiredOption("--tenant <id>", "tenant id")
  .requiredOption("--language <tag>", "BCP 47 language tag, e.g. pl or de")
  .action(
    action(async (opts: { tenant: string; language: string }) => {
      await withDatabase(({ db }) => setTenantLanguage(db, opts.tenant, opts.language, "cli"));
      process.stdout.write(`Tenant ${opts.tenant} now writes to its customers in ${opts.language}.\n`);
    }),
  );

registerKeyCommands(program, withDatabase);
registerStaffCommands(program, withDatabase);
registerDlqCommands(program);
registerCouponCommands(program, withDatabase);
registerCustomerCommands(program, withDatabase);

const programme = program
  .command("programme")
  .description("a tenant's loyalty programme (versioned: every change is a new version)");

programme
  .command("show")
  .description("print the programme in force now")
  .requiredOption("--tenant <id>", "tenant id")
  .action(
    action(async (opts: { tenant: string }) => {
      const current = await withDatabase(({ db }) => showProgramme(db, opts.tenant));
      process.stdout.write(`${JSON.stringify(current, null, 2)}\n`);
    }),
  );

programme
  .command("set")
  .description("replace the programme with a JSON file (ProgrammeConfig) as a new version")
  .requiredOption("--tenant <id>", "tenant id")
  .requiredOption("--file <path>", "programme JSON, e.g. loadtests/programmes/full.json")
  .option(
    "--effective-from <when>",
    "when the version takes effect (default now): a date or date and time in the tenant's time zone " +
      "(YYYY-MM-DD, YYYY-MM-DDTHH:MM) or an ISO timestamp with an offset",
  )
  .action(
    action(async (opts: { tenant: string; file: string; effectiveFrom?: string }) => {
      const version = await withDatabase(({ db }) =>
        setProgrammeFromFile(db, opts.tenant, opts.file, opts.effectiveFrom),
      );
      process.stdout.write(
        `programme version ${version.version} in force from ${version.effectiveFromLocal} (${version.effectiveFrom})\n`,
      );
    }),
  );

programme
  .command("cancel")
  .description("cancel a version scheduled for the future (the newest version, before it takes effect)")
  .requiredOption("--tenant <id>", "tenant id")
  .requiredOption("--version <n>", "the scheduled version's number, as `programme set` printed it")
  .action(
    action(async (opts: { tenant: string; version: string }) => {
      const skew = SkewEnv.safeParse(process.env);
      if (!skew.success) throw new UsageError("OCCURRED_AT_MAX_AHEAD_SECONDS: must be a whole number of seconds");
      const allowance = skew.data.OCCURRED_AT_MAX_AHEAD_SECONDS;
      const cancelled = await withDatabase(({ db }) =>
        cancelScheduledFromCli(db, opts.tenant, opts.version, allowance),
      );
      const also = cancelled.removed.filter((v) => v !== cancelled.version);
      process.stdout.write(
        `programme version ${cancelled.version}, scheduled from ${cancelled.effectiveFromLocal} ` +
          `(${cancelled.effectiveFrom}), cancelled` +
          (also.length ? `, with version(s) ${also.join(", ")} it replaced at that time` : "") +
          "\n",
      );
    }),
  );

registerSeedCommands(program, withDatabase);

program.parseAsync(process.argv).catch((e: Error) => {
  process.stderr.write(`regulars: ${e.message}\n`);
  process.exitCode = 1;
});
