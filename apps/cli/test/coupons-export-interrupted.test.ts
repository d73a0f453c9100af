import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { createCampaign, generateCampaignCodes } from "@regulars/checkout-store";
import {
  eventually,
  holdTransaction,
  type PrivateTestDatabase,
  privateTestDatabase,
  runRegularsCli,
  startRegularsCli,
  startTcpProxy,
  type TcpProxy,
  testTenant,
} from "@regulars/testing";
import { afterAll, beforeAll, expect, it } from "vitest";

// These tests lock the codes' table while the CLI starts, which takes minutes on a busy machine: in the shared test
// database that would stall every other test file reading coupon codes, so they have a database of their own.
let database: PrivateTestDatabase;
let tenantId: string;
let dir: string;
let proxy: TcpProxy;

beforeAll(async () => {
  database = await privateTestDatabase();
  ({ tenantId } = await testTenant(database.db, "CLI Export Outage Burgers"));
  dir = await mkdtemp(join(tmpdir(), "regulars-cli-coupons-outage-"));
  const target = new URL(database.url);
  proxy = await startTcpProxy({ host: target.hostname, port: Number(target.port || 5432) });
}, 120_000);
afterAll(async () => {
  await proxy?.close();
  await rm(dir, { recursive: true, force: true });
  await database?.drop();
});

// The CLI starts tsx and checks migrations first: slow on a busy machine.
const slow = { timeout: 240_000 };

/** A campaign with codes to export, and last week's export of it already in a folder of the test's own. */
async function lastWeeksExport() {
  const c = await createCampaign(
    database.db,
    tenantId,
    {
      name: "Outage",
      benefit: { kind: "fixed_off", amount: 250 },
      codes: { kind: "unique", pattern: "GONE-XXXXXXXX" },
    },
    "test",
  );
  await generateCampaignCodes(database.db, tenantId, c.id, 50, "test");
  const file = join(await mkdtemp(join(dir, "run-")), "codes.csv");
  const contents = `code,uses,max_uses,created_at\nLASTWEEK-0001,0,1,${new Date(Date.now() - 7 * 86_400_000).toISOString()}\n`;
  await writeFile(file, contents);
  return { campaignId: c.id, file, contents };
}

/**
 * Runs `during` while the codes' table is locked, once an export's read of the codes waits for the lock: the export
 * is then known to be under way (its scratch file open, the CSV header written).
 */
async function whileExportWaits<T>(during: () => Promise<T>): Promise<T> {
  const held = await holdTransaction(
    database.url,
    (tx) => tx.$executeRaw`LOCK TABLE coupon_codes IN ACCESS EXCLUSIVE MODE`,
  );
  try {
    return await during();
  } finally {
    await held.commit();
  }
}

const exportWaitingForLock = () =>
  eventually(
    "the export's read of the codes waiting for the lock",
    async () => {
      const waiting = await database.db.$queryRaw<{ n: number }[]>`
        SELECT count(*)::int AS n FROM pg_stat_activity
        WHERE datname = current_database() AND wait_event_type = 'Lock' AND query LIKE '%FROM coupon_codes%'`;
      return waiting[0]!.n > 0 ? true : undefined;
    },
    180_000,
  );

// A real outage, not a faked page reader: the CLI reaches Postgres through a proxy, which resets its connection and
// refuses new ones mid-export, as a database host that goes away does.
it(
  "leaves the file already at --file as it was when the database goes away mid-export, in one line, exit 2",
  slow,
  async () => {
    const { campaignId, file, contents } = await lastWeeksExport();
    const run = await whileExportWaits(async () => {
      const running = runRegularsCli(["coupons", "export", "--campaign", campaignId, "--file", file], {
        DATABASE_URL: proxy.url(database.url),
      });
      try {
        await exportWaitingForLock();
        await proxy.refuse();
        return await running;
      } finally {
        await proxy.restore();
      }
    });

    expect(run.code, run.stderr).toBe(2);
    // Migrations another change brings may be applied first, each on a line of its own.
    const lines = run.stderr
      .trimEnd()
      .split("\n")
      .filter((line) => !line.startsWith("applying migration"));
    expect(lines, run.stderr).toHaveLength(1);
    expect(lines[0]).toBe(
      `--file: ${file} left as it was: the export of ${campaignId} stopped after 0 codes (lost the database connection)`,
    );
    expect(await readFile(file, "utf8")).toBe(contents);
    // The scratch file the codes went to is gone too.
    expect(await readdir(join(file, ".."))).toEqual([basename(file)]);
  },
);

it.each(["SIGINT", "SIGTERM"] as const)(
  "takes its scratch file with it when stopped by %s mid-export, leaving --file as it was",
  slow,
  async (signal) => {
    const { campaignId, file, contents } = await lastWeeksExport();
    const folder = join(file, "..");
    const { child, run, scratchWhileRunning } = await whileExportWaits(async () => {
      const cli = startRegularsCli(["coupons", "export", "--campaign", campaignId, "--file", file], {
        DATABASE_URL: database.url,
      });
      await exportWaitingForLock();
      const scratchWhileRunning = (await readdir(folder)).sort();
      cli.child.kill(signal);
      return { child: cli.child, run: await cli.finished, scratchWhileRunning };
    });

    // The scratch file was there to remove: the export was under way when stopped.
    expect(scratchWhileRunning).toEqual([basename(file), `${basename(file)}.${child.pid}.tmp`]);
    // It dies of the signal as any stopped command does (the shell's exit status 130 or 143).
    expect(child.signalCode, run.stderr).toBe(signal);
    expect(await readFile(file, "utf8")).toBe(contents);
    expect(await readdir(folder)).toEqual([basename(file)]);
  },
);
