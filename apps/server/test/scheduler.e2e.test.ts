import { defaultProgramme } from "@regulars/contracts";
import { createDb, type Db, migrateDatabase } from "@regulars/db";
import { createLogger, createMetricsRegistry } from "@regulars/logger";
import { ProgrammeCache } from "@regulars/programme";
import { type CreatedTenant, createTenant } from "@regulars/tenancy";
import { testBus, testDatabaseUrl } from "@regulars/testing";
import { runScheduledJobs } from "@regulars/workers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

/**
 * The scheduled pass over a database of its own (a pass acts on every tenant of its database): failures
 * stay with their tenant, passes never overlap, and no transaction stays open while a pass works.
 */
let admin: Db;
let db: Db;
let other: Db; // a second pool: another process, as far as Postgres can tell
let bus: Awaited<ReturnType<typeof testBus>>;
let name: string;
let good: CreatedTenant;
let broken: CreatedTenant;

const expiry = { kind: "after_earning", months: 12, noticeDays: 14 } as const;

beforeAll(async () => {
  admin = createDb({ url: testDatabaseUrl(), poolSize: 1 });
  name = `regulars_sched_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 8)}`;
  await admin.$executeRawUnsafe(`CREATE DATABASE ${name}`);
  const url = new URL(testDatabaseUrl());
  url.pathname = `/${name}`;
  await migrateDatabase(url.toString());
  db = createDb({ url: url.toString(), poolSize: 4 });
  other = createDb({ url: url.toString(), poolSize: 2 });
  bus = await testBus();
  good = await createTenant(db, { name: "Good Burgers", timezone: "Europe/Warsaw", currency: "EUR" }, "test");
  broken = await createTenant(db, { name: "Broken Burgers", timezone: "Europe/Warsaw", currency: "EUR" }, "test");
  for (const t of [good, broken]) {
    await db.programmeVersion.create({
      data: {
        tenantId: t.tenantId,
        version: 2,
        effectiveFrom: new Date(0),
        config: { ...defaultProgramme, expiry },
        createdBy: "test",
      },
    });
  }
  // Bad data written around the validation (an old import, a manual fix): its expiry notices cannot be dated.
  await db.$executeRaw`UPDATE tenants SET timezone = 'Mars/Olympus_Mons' WHERE id = ${broken.tenantId}`;
});
afterAll(async () => {
  await bus?.dispose();
  await db?.$disconnect();
  await other?.$disconnect();
  await admin?.$executeRawUnsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  await admin?.$disconnect();
});

const capture = () => {
  const lines: string[] = [];
  return { lines, log: createLogger({ level: "info", destination: { write: (l: string) => void lines.push(l) } }) };
};
type Registry = ReturnType<typeof createMetricsRegistry>;
const counterValue = async (registry: Registry, job: string, outcome: string) =>
  (await registry.getSingleMetric("regulars_job_runs_total")!.get()).values.find(
    (v) => v.labels.job === job && v.labels.outcome === outcome,
  )?.value ?? 0;

describe("runScheduledJobs", () => {
  it("a job failing for one tenant is logged and counted, and every other tenant's jobs still run", async () => {
    const { lines, log } = capture();
    const registry = createMetricsRegistry("test");
    const done = await runScheduledJobs({ db, bus, log, registry, programmes: new ProgrammeCache(db, 0) }, new Date());
    expect(done).toMatchObject({ failed: 1, "expiry-notices": 0, "release-pending": 0, "stream-retention": 0 });
    expect(await counterValue(registry, "stream-retention", "ok")).toBe(1); // the streams trimmed once, for all tenants
    expect(await counterValue(registry, "expiry-notices", "failed")).toBe(1);
    expect(await counterValue(registry, "expiry-notices", "ok")).toBe(1); // the good tenant
    for (const job of ["release-pending", "expire-points", "tier-downgrades"])
      expect(await counterValue(registry, job, "ok")).toBe(2);
    const failure = lines.map((l) => JSON.parse(l)).find((l) => l.msg.includes("scheduled job failed"));
    expect(failure).toMatchObject({ job: "expiry-notices", tenantId: broken.tenantId, level: 50 });
  });

  it("holds a committed lease, not a transaction, while it works; a second pass in this or another process gets null", async () => {
    let open!: () => void;
    const gate = new Promise<void>((resolve) => (open = resolve));
    let entered!: () => void;
    const inside = new Promise<void>((resolve) => (entered = resolve));
    // The pass waits inside its first tenant until the test has looked around.
    class GatedProgrammes extends ProgrammeCache {
      override async inForce(tenantId: string, at: Date) {
        entered();
        await gate;
        return super.inForce(tenantId, at);
      }
    }
    const log = createLogger({ level: "silent" });
    const pass = runScheduledJobs({ db, bus, log, programmes: new GatedProgrammes(db, 0) }, new Date());
    await inside;
    try {
      const leases = await other.schedulerLease.findMany();
      expect(leases).toEqual([
        expect.objectContaining({ name: "scheduled-jobs", holder: expect.stringContaining(`:${process.pid}:`) }),
      ]);
      const [activity] = await other.$queryRaw<{ in_transaction: number; advisory: number }[]>`
        SELECT (SELECT count(*)::int FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid() AND xact_start IS NOT NULL) AS in_transaction,
               (SELECT count(*)::int FROM pg_locks WHERE locktype = 'advisory' AND database = (SELECT oid FROM pg_database WHERE datname = current_database())) AS advisory`;
      expect(activity).toEqual({ in_transaction: 0, advisory: 0 });

      expect(await runScheduledJobs({ db, bus, log, programmes: new ProgrammeCache(db, 0) }, new Date())).toBeNull();
      expect(
        await runScheduledJobs({ db: other, bus, log, programmes: new ProgrammeCache(other, 0) }, new Date()),
      ).toBeNull();
    } finally {
      open();
    }
    expect(await pass).not.toBeNull();
    expect(await other.schedulerLease.count()).toBe(0); // released at the end
  });

  it("a lease left by a process that died lapses, and the next pass takes it", async () => {
    const log = createLogger({ level: "silent" });
    const run = () => runScheduledJobs({ db, bus, log, programmes: new ProgrammeCache(db, 0) }, new Date());
    await db.schedulerLease.create({
      data: { name: "scheduled-jobs", holder: "dead-host:1:abcd", expiresAt: new Date(Date.now() + 3_600_000) },
    });
    expect(await run()).toBeNull();
    await db.$executeRaw`UPDATE scheduler_leases SET expires_at = now() - interval '1 second'`;
    expect(await run()).not.toBeNull();
    expect(await db.schedulerLease.count()).toBe(0);
  });
});
