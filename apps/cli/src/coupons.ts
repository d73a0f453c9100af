import { rmSync } from "node:fs";
import { lstat, open, readFile, readlink, rename, rm } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import type { Writable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { codeLinesFromCsv, type ImportProblem, importCodes, streamCodesCsv } from "@regulars/checkout-store";
import { type Db, isDbUnreachable } from "@regulars/db";
import type { Command } from "commander";
import { action, UsageError, type WithDatabase } from "./command-kit.ts";

const ACTOR = "cli";
/** Lines per transaction: a big file goes in piece by piece, with progress, and a re-run skips what went in. */
const IMPORT_CHUNK = 10_000;
const SHOWN_PROBLEMS = 20;

// pnpm runs scripts in the package folder; a relative path means relative to where the user typed it.
const userPath = (file: string) => resolve(process.env.INIT_CWD ?? process.cwd(), file);

/** The campaign's tenant: campaign ids are unique across tenants, and an operator names the campaign only. */
async function tenantOf(db: Db, campaignId: string, tenant: string | undefined): Promise<string> {
  const campaign = await db.couponCampaign.findUnique({ where: { id: campaignId }, select: { tenantId: true } });
  if (!campaign || (tenant && campaign.tenantId !== tenant))
    throw new UsageError(`--campaign: no coupon campaign ${campaignId}${tenant ? ` in tenant ${tenant}` : ""}`);
  return campaign.tenantId;
}

const count = (n: number) => n.toLocaleString("en-US");

async function readLines(file: string) {
  try {
    return codeLinesFromCsv(await readFile(userPath(file), "utf8"));
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") throw new UsageError(`--file: ${file} does not exist`);
    throw e;
  }
}

async function importFile(db: Db, opts: { campaign: string; file: string; tenant?: string; json?: boolean }) {
  const tenantId = await tenantOf(db, opts.campaign, opts.tenant);
  const lines = await readLines(opts.file);
  const total = { received: 0, inserted: 0, invalid: 0, duplicates: 0, taken: 0 };
  const problems: ImportProblem[] = [];
  for (let i = 0; i < lines.length; i += IMPORT_CHUNK) {
    const report = await importCodes(db, tenantId, opts.campaign, lines.slice(i, i + IMPORT_CHUNK), ACTOR);
    for (const k of Object.keys(total) as (keyof typeof total)[]) total[k] += report[k];
    problems.push(...report.problems);
    process.stderr.write(`${count(Math.min(i + IMPORT_CHUNK, lines.length))} of ${count(lines.length)} lines read\n`);
  }
  if (opts.json) {
    process.stdout.write(`${JSON.stringify({ ...total, problems })}\n`);
    return;
  }
  process.stdout.write(
    `imported ${count(total.inserted)} of ${count(total.received)} codes into ${opts.campaign}` +
      `: ${count(total.invalid)} invalid, ${count(total.duplicates)} repeated, ${count(total.taken)} already taken\n`,
  );
  for (const p of problems.slice(0, SHOWN_PROBLEMS))
    process.stdout.write(`  line ${p.line}: ${p.value}: ${p.message}\n`);
  if (problems.length > SHOWN_PROBLEMS)
    process.stdout.write(`  … and ${count(problems.length - SHOWN_PROBLEMS)} more (--json lists them)\n`);
}

const cannotWrite = (path: string, e: unknown) => {
  const { code, message } = e as NodeJS.ErrnoException;
  return new UsageError(`--file: cannot write ${path} (${code ?? message})`);
};

/** Where an export to --file writes, how it is put in place or given up, and what a cut-short export left there. */
interface ExportTarget {
  out: Writable;
  complete(): Promise<void>;
  abandon(): Promise<void>;
  leftWhenCutShort: string;
}

/** Devices, and the links the kernel points at whatever a descriptor is (/dev/stdout, /proc/self/fd/N): never replaced. */
const isDevicePath = (path: string) => path.startsWith("/dev/") || path.startsWith("/proc/");
// Linux's own limit on links followed in one path (ELOOP past it).
const MAX_LINK_HOPS = 40;

/**
 * The regular file an export to `path` replaces, and its mode, or null when the export is written to `path` as it
 * is. A link is followed to its target, which is replaced and the link kept. Links are followed one at a time, not by
 * realpath: a link to /dev/stdout must be seen as one, where realpath goes on to the file the shell redirected to,
 * and replacing that file would leave the shell's own redirection writing to a file no longer there.
 */
async function fileToReplace(path: string): Promise<{ file: string; mode: number | null } | null> {
  let current = path;
  for (let hops = 0; hops <= MAX_LINK_HOPS; hops++) {
    if (isDevicePath(current)) return null;
    const info = await lstat(current).catch((e: NodeJS.ErrnoException) => {
      if (e.code === "ENOENT") return null;
      throw e;
    });
    if (!info) return { file: current, mode: null };
    if (info.isDirectory()) throw Object.assign(new Error("a directory"), { code: "EISDIR" });
    if (!info.isSymbolicLink()) return info.isFile() ? { file: current, mode: info.mode & 0o777 } : null;
    current = resolve(dirname(current), await readlink(current));
  }
  return null; // opened as it is, a loop of links is refused with ELOOP
}

/**
 * The export's file, opened before a code is read (a folder that does not exist is named, not a stack trace). The
 * codes go to a scratch file beside the file --file names, renamed over it only once the last one is written: an
 * export cut short never leaves a file that looks whole, nor spoils last week's export already there. A device or
 * pipe (/dev/stdout, /dev/full) is written as it is: it holds no export to spoil, and a rename would replace it.
 */
async function openExportTarget(path: string): Promise<ExportTarget> {
  try {
    const replaced = await fileToReplace(path);
    if (!replaced) {
      const out = (await open(path, "w")).createWriteStream();
      const leftWhenCutShort = `what reached ${path} is incomplete`;
      return { out, complete: async () => {}, abandon: async () => {}, leftWhenCutShort };
    }
    const scratch = `${replaced.file}.${process.pid}.tmp`;
    // An export replacing one is no more readable than it was (codes are worth money); the umask still applies.
    const handle = await open(scratch, "wx", replaced.mode ?? 0o666);
    const forgetSignals = removeOnSignal(scratch);
    return {
      out: handle.createWriteStream(),
      complete: () => rename(scratch, replaced.file).finally(forgetSignals),
      abandon: () => rm(scratch, { force: true }).finally(forgetSignals),
      leftWhenCutShort: `${path} left as it was`,
    };
  } catch (e) {
    throw cannotWrite(path, e);
  }
}

/**
 * A Ctrl-C or a stop (SIGTERM) mid-export would leave the scratch file behind, half the campaign's codes in it: it is
 * removed, then the signal is raised again with its default action, so the process dies of it as any stopped command
 * does (exit status 130 or 143 to the shell). Returns what stops listening once the scratch file is renamed or gone.
 */
function removeOnSignal(scratch: string): () => void {
  const signals = ["SIGINT", "SIGTERM"] as const;
  const forget = () => {
    for (const signal of signals) process.off(signal, onSignal);
  };
  function onSignal(signal: NodeJS.Signals) {
    rmSync(scratch, { force: true });
    forget();
    process.kill(process.pid, signal);
  }
  for (const signal of signals) process.on(signal, onSignal);
  return forget;
}

/** The cause an operator can act on, in one line: Prisma's messages span several, the cause last. */
const causeOf = (e: unknown) =>
  isDbUnreachable(e)
    ? "lost the database connection"
    : (String((e as Error)?.message ?? e)
        .split("\n")
        .map((line) => line.trim())
        .filter(Boolean)
        .pop() ?? "unknown error");

async function exportFile(db: Db, opts: { campaign: string; file?: string; tenant?: string }) {
  const tenantId = await tenantOf(db, opts.campaign, opts.tenant);
  const chunks = await streamCodesCsv(db, tenantId, opts.campaign);
  const path = opts.file ? userPath(opts.file) : null;
  const target = path ? await openExportTarget(path) : null;
  const out = target?.out ?? process.stdout;
  // A database gone mid-export, told apart from a full disk or a failing device: the pipeline ends with either.
  let readError: unknown = null;
  let rows = -1; // the header is not a code
  let shown = 0;
  async function* counted() {
    try {
      for await (const chunk of chunks) {
        yield chunk;
        for (let at = chunk.indexOf("\n"); at !== -1; at = chunk.indexOf("\n", at + 1)) rows++;
        if (rows - shown >= 100_000) {
          process.stderr.write(`${count(rows)} codes exported\n`);
          shown = rows;
        }
      }
    } catch (e) {
      readError = e;
      throw e;
    }
  }
  try {
    // Standard output stays open for whatever the process writes next; the file is ended and closed.
    await pipeline(counted(), out, { end: path !== null });
  } catch (e) {
    if (!path || !target) throw e;
    await target.abandon();
    if (!readError) throw cannotWrite(path, e);
    throw new UsageError(
      `--file: ${target.leftWhenCutShort}: the export of ${opts.campaign} stopped after ` +
        `${count(Math.max(rows, 0))} codes (${causeOf(readError)})`,
    );
  }
  if (path && target)
    await target.complete().catch(async (e: unknown) => {
      await target.abandon();
      throw cannotWrite(path, e);
    });
  process.stderr.write(`${count(rows)} codes of ${opts.campaign} exported${opts.file ? ` to ${opts.file}` : ""}\n`);
}

/** `regulars coupons import|export`: a coupon campaign's codes to and from CSV files. */
export function registerCouponCommands(program: Command, withDatabase: WithDatabase): void {
  const coupons = program.command("coupons").description("coupon campaigns' codes: import and export CSV files");

  coupons
    .command("import")
    .description("add a partner's codes (a CSV file, codes in the first column) to a campaign with imported codes")
    .requiredOption("--campaign <id>", "coupon campaign id (cpn_...)")
    .requiredOption("--file <path>", "CSV file or plain list of codes")
    .option("--tenant <id>", "refuse unless the campaign belongs to this tenant")
    .option("--json", "print the report as machine-readable JSON, every problem included")
    .action(
      action(async (opts: { campaign: string; file: string; tenant?: string; json?: boolean }) => {
        await withDatabase(({ db }) => importFile(db, opts));
      }),
    );

  coupons
    .command("export")
    .description("write a campaign's codes as CSV: code,uses,max_uses,created_at")
    .requiredOption("--campaign <id>", "coupon campaign id (cpn_...)")
    .option("--file <path>", "where to write (default: standard output)")
    .option("--tenant <id>", "refuse unless the campaign belongs to this tenant")
    .action(
      action(async (opts: { campaign: string; file?: string; tenant?: string }) => {
        await withDatabase(({ db }) => exportFile(db, opts));
      }),
    );
}
