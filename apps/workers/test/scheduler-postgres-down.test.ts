import { hostname } from "node:os";
import { createDb, type Db } from "@regulars/db";
import { createLogger } from "@regulars/logger";
import { ProgrammeCache } from "@regulars/programme";
import { startTcpProxy, type TcpProxy, testDatabaseUrl, testDb, testTenant } from "@regulars/testing";
import { afterAll, beforeAll, expect, it } from "vitest";
import { runScheduledJobs } from "../src/index.ts";
import { jobs } from "../src/jobs/scheduler.ts";
import { passWhenLeaseFree } from "./scheduled-pass.ts";

// The pass reaches Postgres through a TCP proxy that starts refusing once the pass has its lease and its tenants:
// Postgres gone mid-pass, as in an outage or a failover.

let db: Db;
let passDb: Db;
let proxy: TcpProxy;

/** The programmes come from the database directly; the first one asked for is the moment Postgres goes away. */
class RefusingOnFirstLoad extends ProgrammeCache {
  private refused = false;
  override async inForce(...args: Parameters<ProgrammeCache["inForce"]>) {
    if (!this.refused) {
      this.refused = true;
      await proxy.refuse();
    }
    return super.inForce(...args);
  }
}

beforeAll(async () => {
  db = testDb();
  const target = new URL(testDatabaseUrl());
  proxy = await startTcpProxy({ host: target.hostname, port: Number(target.port || 5432) });
  passDb = createDb({ url: proxy.url(testDatabaseUrl()), poolSize: 2 });
});
afterAll(async () => {
  await proxy?.restore();
  await passDb?.$disconnect();
  await db?.$disconnect();
  await proxy?.close();
});

it("Postgres gone mid-pass: one warning, and the pass stops rather than failing every tenant's every job", async () => {
  const tenantIds: string[] = [];
  for (let i = 0; i < 4; i++) tenantIds.push((await testTenant(db, `Gone Postgres ${i}`)).tenantId);
  const lines: { level: number; msg: string; err?: unknown }[] = [];
  const log = createLogger({ level: "warn", destination: { write: (line: string) => lines.push(JSON.parse(line)) } });
  const programmes = new RefusingOnFirstLoad(db);

  const { done } = await passWhenLeaseFree(() =>
    runScheduledJobs({ db: passDb, bus: null as never, log, programmes }, new Date(), { tenantIds }),
  ).finally(
    // The lease could not be released through the refusing proxy: freed here, so other files' passes need not wait.
    () => db.$executeRaw`
      DELETE FROM scheduler_leases WHERE name = 'scheduled-jobs' AND holder LIKE ${`${hostname()}:${process.pid}:%`}`,
  );

  expect(done.failed).toBe(1);
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatchObject({ level: 40, msg: "Postgres unreachable; pass abandoned, the next pass retries" });
  expect(lines[0]!.err).toBeUndefined();
}, 120_000);

it("a job's own timeout, or another store's socket error, fails that tenant's job alone: the tenants after it run", async () => {
  const tenantIds = [
    (await testTenant(db, "Slow tenant")).tenantId,
    (await testTenant(db, "Next tenant")).tenantId,
  ].sort();
  const [first, second] = tenantIds as [string, string];
  const lines: { level: number; msg: string }[] = [];
  const log = createLogger({ level: "warn", destination: { write: (line: string) => lines.push(JSON.parse(line)) } });
  const [, job] = jobs[0]!;
  const ran: string[] = [];
  const failures: (() => Promise<unknown>)[] = [
    // A query too slow for its statement_timeout: a big tenant's own trouble, Postgres answering.
    () =>
      db.$transaction(async (tx) => {
        await tx.$executeRaw`SET LOCAL statement_timeout = 50`;
        await tx.$executeRaw`SELECT pg_sleep(1)`;
      }),
    // ClickHouse's client passes Node's socket errors through; Postgres is fine.
    () => Promise.reject(Object.assign(new Error("socket hang up"), { code: "ECONNRESET" })),
  ];
  try {
    for (const fail of failures) {
      ran.length = 0;
      jobs[0]![1] = async (ctx) => {
        ran.push(ctx.tenantId);
        if (ctx.tenantId === first) await fail();
        return job(ctx);
      };
      const { done } = await passWhenLeaseFree(() =>
        runScheduledJobs({ db, bus: null as never, log, programmes: new ProgrammeCache(db) }, new Date(), {
          tenantIds,
        }),
      );
      expect(done.failed).toBe(1);
      expect(ran).toEqual([first, second]);
    }
  } finally {
    jobs[0]![1] = job;
  }
  expect(lines.map((l) => l.msg)).not.toContain("Postgres unreachable; pass abandoned, the next pass retries");
}, 120_000);
