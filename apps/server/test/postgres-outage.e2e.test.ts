import { createDb, type Db } from "@regulars/db";
import { findBalanceDrift } from "@regulars/ledger-store";
import { eventually, startTcpProxy, type TcpProxy, testDatabaseUrl, testTenant } from "@regulars/testing";
import { ledgerBacklog } from "@regulars/workers";
import { afterAll, beforeAll, expect, it } from "vitest";
import { deadLetterCount, readiness, seconds, startTills } from "./outage-fixture.ts";
import { startTestSystem, type TestSystem } from "./system-fixture.ts";

// Postgres goes away for longer than the old retry budget (0.5+1+2+4+8 s, then dead letters) while
// the tills keep selling. The system reaches Postgres only through a TCP proxy that refuses and
// resets connections, so it sees exactly what an outage or a failover looks like.

const outageMs = 25_000;
let proxy: TcpProxy;
let system: TestSystem;
let db: Db;

beforeAll(async () => {
  const target = new URL(testDatabaseUrl());
  proxy = await startTcpProxy({ host: target.hostname, port: Number(target.port || 5432) });
  system = await startTestSystem({
    DATABASE_URL: proxy.url(testDatabaseUrl()),
    WORKERS: "ledger,events,analytics",
    // The gateway keeps accepting from its credential cache while Postgres is away.
    CREDENTIAL_CACHE_TTL_MS: "600000",
    CONSUMER_PAUSE_MAX_MS: "2000",
    MAX_DELIVER: "3",
  });
  db = createDb({ url: testDatabaseUrl(), poolSize: 2 });
});
afterAll(async () => {
  await proxy?.restore();
  await system?.dispose();
  await db?.$disconnect();
  await proxy?.close();
});

it("a Postgres outage longer than the old retry budget loses nothing and awards every accepted sale exactly once", {
  timeout: 180_000,
}, async () => {
  const tenant = await testTenant(db, "Outage Burgers");
  const workersUrl = system.workersUrl!;
  const tills = startTills(system, tenant.apiKeys.pos, { prefix: "pg-outage", everyMs: 100 });
  await eventually("sales applied before the outage", async () =>
    (await db.transaction.count({ where: { tenantId: tenant.tenantId } })) >= 5 ? true : undefined,
  );
  expect((await readiness(workersUrl)).status).toBe(200);

  const acceptedBefore = tills.accepted.length;
  await proxy.refuse();
  const outageStarted = Date.now();
  const paused = await eventually("the workers to report the ledger paused", async () => {
    const r = await readiness(workersUrl);
    return r.body.consumers?.find((c) => c.consumer === "ledger" && c.status === "paused") ? r : undefined;
  });
  expect(paused.status).toBe(503);
  expect(paused.body.checks).toMatchObject({ postgres: false, consumers: false });
  expect(paused.body.consumers!.find((c) => c.consumer === "ledger")).toMatchObject({
    dependency: "postgres",
    reason: expect.any(String),
  });
  await new Promise((r) => setTimeout(r, Math.max(0, outageMs - (Date.now() - outageStarted))));
  const acceptedDuringOutage = tills.accepted.length - acceptedBefore;
  await proxy.restore();
  const outageLasted = Date.now() - outageStarted;

  await new Promise((r) => setTimeout(r, 1_000)); // a little traffic after the outage too
  await tills.stop();
  const backlog = () => ledgerBacklog(system.bus, db);
  await eventually("the ledger to catch up", async () => ((await backlog()) === 0 ? true : undefined), 90_000, 250);
  await eventually("the workers to be ready again", async () =>
    (await readiness(workersUrl)).status === 200 ? true : undefined,
  );

  const t = tenant.tenantId;
  const stored = await db.transaction.findMany({
    where: { tenantId: t },
    select: { externalId: true, pointsAwarded: true },
  });
  const movements = await db.ledgerMovement.findMany({ where: { tenantId: t }, select: { amount: true } });
  const balances = await db.$queryRaw<
    { total: bigint | null }[]
  >`SELECT sum(a.balance) AS total FROM ledger_accounts a JOIN customers c ON c.id = a.owner AND a.kind = 'points' WHERE c.tenant_id = ${t}`;
  const awarded = stored.reduce((sum, s) => sum + Number(s.pointsAwarded), 0);
  const dead = await deadLetterCount(system);
  console.log(
    `postgres outage ${seconds(outageLasted)}: sales accepted ${tills.accepted.length} (${acceptedDuringOutage} during the outage), ` +
      `refused ${tills.refused.length}, awarded ${stored.length}, ledger movements ${movements.length}, dead-lettered ${dead}`,
  );

  expect(acceptedDuringOutage).toBeGreaterThan(0);
  expect(stored.map((s) => s.externalId).sort()).toEqual([...tills.accepted].sort());
  expect(movements).toHaveLength(tills.accepted.length); // one earn movement per sale, never two
  expect(movements.reduce((sum, m) => sum + Number(m.amount), 0)).toBe(awarded);
  expect(Number(balances[0]?.total ?? 0)).toBe(awarded);
  expect(await findBalanceDrift(db, t)).toEqual([]);
  expect(dead).toBe(0);
});
