/**
 * `pnpm bench:segments`: segments at a national chain's scale. Seeds `--customers` (default 1,000,000) demo
 * customers with `--days` (default 365) of orders, lines and app events (about 20 rows each) through
 * `@regulars/demo-data`, into a fresh Postgres database (DATABASE_URL's server or the embedded one; dropped
 * at the end) and chdb in a temporary folder (or the ClickHouse server at CLICKHOUSE_URL); then times segment
 * previews (live count and sample), materialising segments (the first refresh, where every member enters, and
 * a second one with nothing changed) and the dashboard's location figures. Bars: preview < 1 s; materialising a
 * 100k-member segment < 10 s.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Analytics, createAnalytics, locationTotals } from "@regulars/analytics";
import type { SegmentDefinition } from "@regulars/contracts";
import { createDb, type Db, migrateDatabase } from "@regulars/db";
import { type SeedProgress, seedDemo } from "@regulars/demo-data";
import { resolveDataDir, startEmbeddedPostgres } from "@regulars/embedded";
import { createSegment, materialiseSegment, previewSegment } from "@regulars/segments-store";
import { createTenant } from "@regulars/tenancy";
import { benchFlagsOrExit, wholeFlag } from "./bench-flags.ts";
import { withAdmin } from "./postgres-admin.ts";
import { benchSegments, type Timed, timeRuns } from "./segments-cases.ts";

const usage = `Usage: pnpm bench:segments [flags]

  --customers <n>       demo customers seeded (default 1000000)
  --days <n>            days of orders, lines and app events each customer gets (default 365)
  --runs <n>            times each preview and the dashboard query run; the first is cold (default 3)
  --keep <dir>          keep the seeded data in <dir> (chdb, and the database named in <dir>/bench.json); a later
                        run with the same <dir> skips seeding
  --json                print only the one-line JSON result on stdout
  --help

  DATABASE_URL names the Postgres server (default: an embedded one); CLICKHOUSE_URL a ClickHouse server (default:
  chdb in a temporary folder).`;

const { customers, days, runs, keep, json } = benchFlagsOrExit(
  usage,
  {
    customers: { type: "string" },
    days: { type: "string" },
    runs: { type: "string" },
    json: { type: "boolean", default: false },
    keep: { type: "string" },
  },
  (flags) => ({
    customers: wholeFlag("customers", flags.customers, 1_000_000),
    days: wholeFlag("days", flags.days, 365),
    runs: wholeFlag("runs", flags.runs, 3),
    keep: flags.keep,
    json: flags.json,
  }),
);
const say = (msg: string) => process.stderr.write(`${msg}\n`);
const bars = { previewMs: 1_000, materialiseMs: 10_000, materialiseMembers: 100_000 };

interface KeptData {
  dbName: string;
  tenantId: string;
  seeded: SeedProgress;
  seedSeconds: number;
}

/** A tenant with `customers` seeded customers. */
async function seedAll(db: Db, analytics: Analytics, now: Date) {
  const { tenantId } = await createTenant(
    db,
    { name: "Bench Burgers", timezone: "Europe/Warsaw", currency: "EUR" },
    "bench",
  );
  say(`seeding ${customers} customers with ${days} days of history`);
  let nextReport = 0;
  const seedStarted = performance.now();
  const seeded = await seedDemo({
    db,
    analytics,
    tenantId,
    customers,
    days,
    now,
    onProgress: (p) => {
      if (p.customers < nextReport && p.customers < p.of) return;
      nextReport += Math.max(1, Math.floor(p.of / 20));
      const s = (performance.now() - seedStarted) / 1000;
      say(`  ${p.customers}/${p.of} customers, ${p.transactions + p.lines + p.events} rows, ${s.toFixed(0)} s`);
    },
  });
  const seedSeconds = (performance.now() - seedStarted) / 1000;
  return { tenantId, seeded, seedSeconds };
}

async function main() {
  const embedded = process.env.DATABASE_URL
    ? null
    : await startEmbeddedPostgres({ dataDir: resolveDataDir(), log: say });
  const serverUrl = process.env.DATABASE_URL ?? embedded!.url;
  // --keep <dir>: the seeded data stays (chdb in <dir>, the database named in <dir>/bench.json) and later runs
  // with the same <dir> skip seeding, to measure the segment phases again.
  const kept = keep ? join(keep, "bench.json") : null;
  const reused = kept && existsSync(kept) ? (JSON.parse(readFileSync(kept, "utf8")) as KeptData) : null;
  const dbName = reused?.dbName ?? `regulars_bench_${Date.now().toString(36)}`;
  if (!reused) await withAdmin(serverUrl, (c) => c.query(`CREATE DATABASE ${dbName}`));
  const url = new URL(serverUrl);
  url.pathname = `/${dbName}`;
  if (keep) mkdirSync(join(keep, "clickhouse"), { recursive: true });
  const folder = process.env.CLICKHOUSE_URL
    ? null
    : keep
      ? join(keep, "clickhouse")
      : mkdtempSync(join(tmpdir(), "regulars-bench-segments-"));
  const database = dbName;
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
  const db = createDb({ url: url.toString(), poolSize: 4 });
  try {
    await migrateDatabase(url.toString());
    await analytics.migrate();
    const now = new Date();
    const { tenantId, seeded, seedSeconds } = reused ?? (await seedAll(db, analytics, now));
    if (kept && !reused)
      writeFileSync(kept, JSON.stringify({ dbName, tenantId, seeded, seedSeconds } satisfies KeptData));
    if (reused) say(`reusing ${seeded.customers} seeded customers of ${kept}`);
    const rows = seeded.transactions + seeded.lines + seeded.events;
    // ClickHouse merges what was written (seeded, or rewritten by a migration) long before anyone builds a
    // segment: merged here, so the figures are those of a settled store, not of the minutes after a bulk load.
    say("merging ClickHouse parts");
    for (const table of ["transactions", "transaction_lines", "events", "customers"])
      await analytics.client.command({ query: `OPTIMIZE TABLE ${database}.${table} FINAL` });

    const deps = { db, analytics };
    const runId = now.getTime().toString(36); // segment names are unique: a kept dataset is measured again
    const previews: (Timed & { name: string; members: number })[] = [];
    for (const c of benchSegments) {
      let members = 0;
      const timed = await timeRuns(runs, async () => {
        members = (await previewSegment(deps, tenantId, { kind: "definition", definition: c.definition }, now)).members;
      });
      previews.push({ name: c.name, members, ...timed });
      say(`  preview ${c.name}: ${members} members, cold ${timed.coldMs} ms, warm ${timed.warmMs} ms`);
    }

    const materialised = [];
    for (const c of benchSegments.filter((s) => s.materialise)) {
      const segment = await createSegment(
        db,
        tenantId,
        { name: `${c.name} (${runId})`, source: { kind: "definition", definition: c.definition as SegmentDefinition } },
        "bench",
      );
      let t0 = performance.now();
      const first = await materialiseSegment(deps, tenantId, segment.id, now);
      const firstMs = Math.round(performance.now() - t0);
      t0 = performance.now();
      const again = await materialiseSegment(deps, tenantId, segment.id, now);
      const againMs = Math.round(performance.now() - t0);
      materialised.push({
        name: c.name,
        members: first.members,
        entered: first.entered,
        firstMs,
        unchanged: again.entered + again.left === 0,
        againMs,
      });
      say(`  materialise ${c.name}: ${first.members} members in ${firstMs} ms; again (nothing changed) ${againMs} ms`);
    }

    const dashboard = await timeRuns(runs, () =>
      locationTotals(analytics, {
        tenantId,
        timezone: "Europe/Warsaw",
        from: new Date(now.getTime() - 30 * 86_400_000).toISOString().slice(0, 10),
        to: now.toISOString().slice(0, 10),
      }),
    );
    // The bar is about a 100k-member segment: the smallest one materialised with at least that many members.
    // Larger ones are reported beside it (a first refresh grows with the members who enter).
    const large = materialised
      .filter((m) => m.members >= bars.materialiseMembers)
      .sort((a, b) => a.members - b.members)
      .slice(0, 1);
    const summary = {
      engine: process.env.CLICKHOUSE_URL ? "ClickHouse server over HTTP" : "chdb (in-process)",
      customers,
      days,
      seed: { ...seeded, rows, seconds: +seedSeconds.toFixed(1), rowsPerSec: Math.round(rows / seedSeconds) },
      previews,
      materialised,
      dashboard: { locationTotals30d: dashboard },
      bars: {
        previewUnder1s: previews.every((p) => p.warmMs < bars.previewMs),
        materialise100kUnder10s: large.length > 0 && large.every((m) => m.firstMs < bars.materialiseMs),
      },
      peakRssBytes: process.resourceUsage().maxRSS * 1024,
    };
    if (json) {
      process.stdout.write(`${JSON.stringify(summary)}\n`);
      return;
    }
    const lines = [
      "",
      `engine             ${summary.engine}`,
      `seeded             ${customers} customers: ${seeded.transactions} orders and refunds, ${seeded.lines} lines, ${seeded.events} app events (${rows} rows) in ${summary.seed.seconds} s (${summary.seed.rowsPerSec} rows/s)`,
      ...previews.map(
        (p) =>
          `preview            ${p.name.padEnd(44)} ${String(p.members).padStart(8)} members  cold ${p.coldMs} ms, warm p50 ${p.warmMs} ms`,
      ),
      ...materialised.map(
        (m) =>
          `materialise        ${m.name.padEnd(44)} ${String(m.members).padStart(8)} members  first ${m.firstMs} ms, unchanged ${m.againMs} ms`,
      ),
      `dashboard          revenue per location over 30 days: cold ${dashboard.coldMs} ms, warm p50 ${dashboard.warmMs} ms`,
      `bars               preview < ${bars.previewMs} ms: ${summary.bars.previewUnder1s ? "met" : "NOT met"}; materialising a segment of ${bars.materialiseMembers}+ members (the smallest such) < ${bars.materialiseMs} ms: ${summary.bars.materialise100kUnder10s ? "met" : large.length ? "NOT met" : "not measured (no segment that large: seed more customers)"}`,
      `peak RSS           ${(summary.peakRssBytes / 1024 / 1024).toFixed(0)} MB (this process, chdb in it)`,
      "",
      JSON.stringify(summary),
      "",
    ];
    process.stdout.write(lines.join("\n"));
  } finally {
    await db.$disconnect();
    if (!keep)
      await analytics.client.command({ query: `DROP DATABASE IF EXISTS ${database} SYNC` }).catch(() => undefined);
    await analytics.close();
    if (folder && !keep) rmSync(folder, { recursive: true, force: true });
    if (!keep) await withAdmin(serverUrl, (c) => c.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`));
    await embedded?.stop();
  }
}

main().catch((e) => {
  say(`bench:segments failed: ${(e as Error).stack ?? e}`);
  process.exit(1);
});
