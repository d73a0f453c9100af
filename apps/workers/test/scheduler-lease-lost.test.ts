import { createDb, type Db } from "@regulars/db";
import type { JobResult } from "@regulars/ledger-store";
import { createLogger } from "@regulars/logger";
import { ProgrammeCache } from "@regulars/programme";
import { startTcpProxy, type TcpProxy, testDatabaseUrl, testDb, testTenant } from "@regulars/testing";
import { afterAll, afterEach, beforeAll, beforeEach, expect, it } from "vitest";
import { runScheduledJobs } from "../src/index.ts";
import type { ScheduledJobContext } from "../src/jobs/refresh-segments.ts";
import { jobs } from "../src/jobs/scheduler.ts";
import { passWhenLeaseFree } from "./scheduled-pass.ts";

// A runner that no longer holds the scheduler's lease must start no more jobs: another runner may hold it and be
// running the same jobs for the same tenants. The jobs here only record that they started, and the test disturbs
// the lease from inside the first one. The lease is short so its renewals (every second) and its lapse come soon.

const leaseTtlMs = 3_000;
const otherHolder = "another-worker:1:test";

let db: Db;
let proxiedDb: Db;
let proxy: TcpProxy;
let tenantIds: string[];
const realJobs = [...jobs];

type Started = { runner: "first" | "second"; tenantId: string; job: string };
let started: Started[];
/** Runs inside the first job the first runner starts, once. */
let disturb: (() => Promise<void>) | null;

beforeAll(async () => {
  db = testDb();
  const target = new URL(testDatabaseUrl());
  proxy = await startTcpProxy({ host: target.hostname, port: Number(target.port || 5432) });
  proxiedDb = createDb({ url: proxy.url(testDatabaseUrl()), poolSize: 2 });
  tenantIds = [(await testTenant(db, "Lease lost A")).tenantId, (await testTenant(db, "Lease lost B")).tenantId].sort();
});
beforeEach(() => {
  started = [];
  disturb = null;
  for (const [i, [name]] of realJobs.entries()) {
    jobs[i] = [
      name,
      async (ctx: ScheduledJobContext): Promise<JobResult> => {
        const runner = ctx.db === db ? "second" : "first";
        started.push({ runner, tenantId: ctx.tenantId, job: name });
        const once = runner === "first" ? disturb : null;
        disturb = null;
        await once?.();
        return { acted: 0, outbox: [] };
      },
    ];
  }
});
afterEach(async () => {
  jobs.splice(0, jobs.length, ...realJobs);
  await proxy.restore();
  // Leases this file left behind (another holder's, or one a refused connection could not release): other files'
  // passes must not wait for them to lapse.
  await db.$executeRaw`DELETE FROM scheduler_leases WHERE holder = ${otherHolder} OR expires_at < now()`;
});
afterAll(async () => {
  await proxiedDb?.$disconnect();
  await db?.$disconnect();
  await proxy?.close();
});

function capture() {
  const lines: Line[] = [];
  const log = createLogger({ level: "info", destination: { write: (l: string) => void lines.push(JSON.parse(l)) } });
  return { lines, log };
}

type Line = { level: number; msg: string };
const notRenewed = "scheduler lease not renewed; no new scheduled work until a renewal succeeds";
const taken = "scheduler lease taken by another holder; no new scheduled work here";
const passStops = "scheduled pass no longer holds its lease; stopping, the next holder carries on";

/** Waits (boundedly) for a log line; the assertions after it say what the runner then did. */
async function logged(lines: Line[], matches: (l: Line) => boolean): Promise<void> {
  for (let waited = 0; waited < 15_000; waited += 100) {
    if (lines.some(matches)) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
const warnedAboutLease = (lines: Line[]) => logged(lines, (l) => l.level === 40 && l.msg.includes("lease"));

const settled = <T>(p: Promise<T>) =>
  p.then(
    (done) => ({ done }),
    (error: unknown) => ({ error }),
  );

it("another holder takes the lease mid-pass: the runner says so and starts no more jobs nor its clean-ups", async () => {
  const { lines, log } = capture();
  disturb = async () => {
    // As a worker that found the lease lapsed would: the row is now someone else's.
    await db.$executeRaw`
      UPDATE scheduler_leases SET holder = ${otherHolder}, acquired_at = now(), expires_at = now() + interval '1 minute'
      WHERE name = 'scheduled-jobs'`;
    await warnedAboutLease(lines);
  };

  const { done } = await passWhenLeaseFree(() =>
    runScheduledJobs(
      { db: proxiedDb, bus: null as never, log, programmes: new ProgrammeCache(db), leaseTtlMs },
      new Date(),
      {
        tenantIds,
      },
    ),
  );

  expect(started).toEqual([{ runner: "first", tenantId: tenantIds[0], job: realJobs[0]![0] }]);
  expect(done).not.toHaveProperty("outbox-cleanup");
  expect(lines.filter((l) => l.level === 40).map((l) => l.msg)).toEqual([taken, passStops]);
  expect(await db.schedulerLease.findUnique({ where: { name: "scheduled-jobs" } })).toMatchObject({
    holder: otherHolder,
  });
}, 120_000);

it("renewals fail (Postgres unreachable): a second runner takes the lapsed lease, and the first starts nothing more", async () => {
  const { lines, log } = capture();
  disturb = async () => {
    await proxy.refuse();
    await warnedAboutLease(lines);
    // The lease lapses unrenewed; a second runner, which reaches Postgres, takes it and runs every job.
    await passWhenLeaseFree(() =>
      runScheduledJobs(
        {
          db,
          bus: null as never,
          log: createLogger({ level: "silent" }),
          programmes: new ProgrammeCache(db),
          leaseTtlMs,
        },
        new Date(),
        { tenantIds },
      ),
    );
  };

  const first = await settled(
    passWhenLeaseFree(() =>
      runScheduledJobs(
        { db: proxiedDb, bus: null as never, log, programmes: new ProgrammeCache(db), leaseTtlMs },
        new Date(),
        { tenantIds },
      ),
    ),
  );

  const byFirst = started.filter((s) => s.runner === "first");
  expect(byFirst).toEqual([{ runner: "first", tenantId: tenantIds[0], job: realJobs[0]![0] }]);
  expect(started.filter((s) => s.runner === "second")).toHaveLength(tenantIds.length * realJobs.length);
  expect(first).toMatchObject({ done: { done: expect.not.objectContaining({ "outbox-cleanup": expect.anything() }) } });
  expect(lines.filter((l) => l.level === 40).map((l) => l.msg)).toEqual([notRenewed, passStops]);
}, 120_000);

it("a renewal fails and the next succeeds, no one having taken the lease: the pass goes on with every job", async () => {
  const { lines, log } = capture();
  disturb = async () => {
    await proxy.refuse();
    await warnedAboutLease(lines);
    await proxy.restore();
    await logged(lines, (l) => l.msg === "scheduler lease renewed again; scheduled work resumes");
  };

  // Renewed every 3 s and lapsing after 9 s: back well before anyone else could take it.
  const { done } = await passWhenLeaseFree(() =>
    runScheduledJobs(
      { db: proxiedDb, bus: null as never, log, programmes: new ProgrammeCache(db), leaseTtlMs: 9_000 },
      new Date(),
      { tenantIds },
    ),
  );

  expect(started).toHaveLength(tenantIds.length * realJobs.length);
  expect(done).toHaveProperty("outbox-cleanup");
  expect(lines.filter((l) => l.level >= 30).map((l) => l.msg)).toEqual([
    notRenewed,
    "scheduler lease renewed again; scheduled work resumes",
  ]);
}, 120_000);
