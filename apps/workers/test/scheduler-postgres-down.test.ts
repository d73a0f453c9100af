import { hostname } from "node:os";
import { createDb, type Db } from "@regulars/db";
import { createLogger } from "@regulars/logger";
import { ProgrammeCache } from "@regulars/programme";
import { startTcpProxy, type TcpProxy, testDatabaseUrl, testDb, testTenant } from "@regulars/testing";
import { afterAll, beforeAll, expect, it } from "vitest";
import { runScheduledJobs } from "../src/index.ts";
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
