import { createServer, type Server } from "node:net";
import { type Analytics, createAnalytics } from "@regulars/analytics";
import type { Db } from "@regulars/db";
import { createLogger } from "@regulars/logger";
import { ProgrammeCache } from "@regulars/programme";
import { testDb, testTenant } from "@regulars/testing";
import { afterAll, beforeAll, expect, it } from "vitest";
import { runScheduledJobs } from "../src/index.ts";
import { messageCustomer } from "./message-fixtures.ts";
import { passWhenLeaseFree } from "./scheduled-pass.ts";

const DAY = 86_400_000;

let db: Db;
let blackHole: Server;
let analytics: Analytics;

beforeAll(async () => {
  db = testDb();
  // Unreachable the hard way: the host accepts connections and never answers (a partition, a dead VM behind a
  // load balancer), so every request waits for the client's own 30 s timeout.
  blackHole = createServer(() => {}).listen(0, "127.0.0.1");
  await new Promise((resolve) => blackHole.once("listening", resolve));
  const { port } = blackHole.address() as { port: number };
  analytics = await createAnalytics({ kind: "http", url: `http://127.0.0.1:${port}`, database: "regulars" });
});

afterAll(async () => {
  await analytics?.close();
  blackHole?.close();
  await db?.$disconnect();
});

it("a ClickHouse that never answers costs a pass one short ping: every tenant's Postgres jobs run, its ClickHouse jobs are skipped", async () => {
  const now = new Date();
  const tenantIds: string[] = [];
  for (let i = 0; i < 3; i++) {
    const { tenantId } = await testTenant(db, `Black hole ${i}`);
    tenantIds.push(tenantId);
    const customer = await messageCustomer(db, tenantId, { phone: `+4860039910${i}`, at: now });
    // An erasure finished yesterday: finish-erasures would sweep ClickHouse for late facts of the customer.
    await db.$executeRaw`
      INSERT INTO erasure_requests (id, tenant_id, customer_id, requested_by, reason, requested_at, postgres_done_at, clickhouse_done_at)
      VALUES (${`er_${tenantId}`}, ${tenantId}, ${customer}, 'staff', 'asked', ${new Date(now.getTime() - DAY)},
        ${new Date(now.getTime() - DAY)}, ${new Date(now.getTime() - DAY)})`;
    // Past the default 30 days: retention's Postgres part deletes it whatever ClickHouse does.
    await db.$executeRaw`
      INSERT INTO dev_messages (id, tenant_id, customer_id, channel, recipient, body, created_at)
      VALUES (${`dm_${tenantId}`}, ${tenantId}, ${customer}, 'sms', '+48600399100', 'old', ${new Date(now.getTime() - 40 * DAY)})`;
  }
  const lines: string[] = [];
  const log = createLogger({ level: "warn", destination: { write: (line: string) => lines.push(line) } });

  const { done, seconds } = await passWhenLeaseFree(() =>
    runScheduledJobs(
      { db, bus: null as never, log, programmes: new ProgrammeCache(db), analytics, clickhouseProbeMs: 500 },
      now,
      { tenantIds },
    ),
  );

  expect(seconds).toBeLessThan(10);
  expect(done.failed).toBeUndefined();
  // finish-erasures and refresh-segments, for each of the three tenants.
  expect(done.skipped).toBe(6);
  for (const job of ["release-pending", "expire-points", "tier-downgrades", "expire-holds", "campaign-schedules"])
    expect(done).toHaveProperty(job);
  expect(done["apply-retention"]).toBe(3);
  const left = await db.$queryRaw<{ n: number }[]>`
    SELECT count(*)::int AS n FROM dev_messages WHERE tenant_id = ANY(${tenantIds})`;
  expect(left[0]?.n).toBe(0);
  const warnings = lines.map((l) => JSON.parse(l) as { msg: string }).filter((l) => /ClickHouse/.test(l.msg));
  expect(warnings).toHaveLength(1);
}, 300_000);
