import { randomBytes } from "node:crypto";
import { type Analytics, createAnalytics } from "@regulars/analytics";
import { consumerBacklog } from "@regulars/bus";
import { createDb, type Db } from "@regulars/db";
import {
  type ClickHouseHttpServer,
  eventually,
  startClickHouseHttpServer,
  startTcpProxy,
  type TcpProxy,
  testDatabaseUrl,
  testTenant,
} from "@regulars/testing";
import { ledgerBacklog } from "@regulars/workers";
import { afterAll, beforeAll, expect, it } from "vitest";
import { deadLetterCount, readiness, seconds, startTills } from "./outage-fixture.ts";
import { startTestSystem, type TestSystem } from "./system-fixture.ts";

// ClickHouse goes away for longer than the old retry budget while sales keep being applied and their
// facts keep arriving for the analytics writer. The writer talks to a real engine over the ClickHouse
// HTTP interface (chdb behind node:http), through a TCP proxy that refuses and resets connections.

const outageMs = 25_000;
let clickhouse: ClickHouseHttpServer;
let proxy: TcpProxy;
let system: TestSystem;
let db: Db;
let direct: Analytics;
const database = `outage_${randomBytes(4).toString("hex")}`;

beforeAll(async () => {
  clickhouse = await startClickHouseHttpServer();
  proxy = await startTcpProxy({ host: "127.0.0.1", port: clickhouse.port });
  system = await startTestSystem({
    CLICKHOUSE_URL: proxy.url(clickhouse.url),
    CLICKHOUSE_DATABASE: database,
    WORKERS: "ledger,events,analytics",
    CONSUMER_PAUSE_MAX_MS: "2000",
    MAX_DELIVER: "3",
  });
  db = createDb({ url: testDatabaseUrl(), poolSize: 2 });
  direct = await createAnalytics({ kind: "http", url: clickhouse.url, database });
}, 120_000);
afterAll(async () => {
  await proxy?.restore();
  await system?.dispose();
  await direct?.close();
  await db?.$disconnect();
  await proxy?.close();
  await clickhouse?.stop();
});

it("a ClickHouse outage longer than the old retry budget loses no fact and stores each exactly once", {
  timeout: 180_000,
}, async () => {
  const tenant = await testTenant(db, "Analytics Outage Burgers");
  const t = tenant.tenantId;
  const workersUrl = system.workersUrl!;
  const tills = startTills(system, tenant.apiKeys.pos, { prefix: "ch-outage", everyMs: 100 });
  await eventually("facts written before the outage", async () =>
    (await direct.countTransactions(t)) >= 5 ? true : undefined,
  );

  const acceptedBefore = tills.accepted.length;
  await proxy.refuse();
  const outageStarted = Date.now();
  const paused = await eventually("the workers to report the analytics writer paused", async () => {
    const r = await readiness(workersUrl);
    return r.body.consumers?.find((c) => c.consumer === "analytics-writer" && c.status === "paused") ? r : undefined;
  });
  expect(paused.status).toBe(503);
  expect(paused.body.checks).toMatchObject({ clickhouse: false, consumers: false, postgres: true });
  expect(paused.body.consumers!.find((c) => c.consumer === "analytics-writer")).toMatchObject({
    dependency: "postgres+clickhouse",
  });
  await new Promise((r) => setTimeout(r, Math.max(0, outageMs - (Date.now() - outageStarted))));
  const acceptedDuringOutage = tills.accepted.length - acceptedBefore;
  await proxy.restore();
  const outageLasted = Date.now() - outageStarted;

  await new Promise((r) => setTimeout(r, 1_000));
  await tills.stop();
  const { streams, consumers } = system.bus.topology;
  const caughtUp = async () =>
    (await ledgerBacklog(system.bus, db)) === 0 &&
    (await consumerBacklog(system.bus, streams.domain, consumers.analyticsWriter)) === 0;
  await eventually(
    "the ledger and the analytics writer to catch up",
    async () => ((await caughtUp()) ? true : undefined),
    90_000,
    250,
  );
  await eventually("the workers to be ready again", async () =>
    (await readiness(workersUrl)).status === 200 ? true : undefined,
  );

  const [facts] = await (
    await direct.client.query({
      query: `SELECT count() AS rows, uniqExact(id) AS ids, groupArray(external_id) AS externalIds FROM ${database}.transactions FINAL WHERE tenant_id = {t:String}`,
      query_params: { t },
      format: "JSONEachRow",
    })
  ).json<{ rows: string; ids: string; externalIds: string[] }>();
  const [raw] = await (
    await direct.client.query({
      query: `SELECT count() AS n FROM ${database}.transactions WHERE tenant_id = {t:String}`,
      query_params: { t },
      format: "JSONEachRow",
    })
  ).json<{ n: string }>();
  const dead = await deadLetterCount(system);
  console.log(
    `clickhouse outage ${seconds(outageLasted)}: sales accepted ${tills.accepted.length} (${acceptedDuringOutage} during the outage), refused ${tills.refused.length}, ` +
      `facts in ClickHouse ${facts!.ids} (rows before merge ${raw!.n}), awarded ${await db.transaction.count({ where: { tenantId: t } })}, dead-lettered ${dead}`,
  );

  expect(acceptedDuringOutage).toBeGreaterThan(0);
  expect(Number(facts!.rows)).toBe(tills.accepted.length);
  expect(Number(facts!.ids)).toBe(tills.accepted.length);
  expect([...facts!.externalIds].sort()).toEqual([...tills.accepted].sort());
  expect(await db.transaction.count({ where: { tenantId: t } })).toBe(tills.accepted.length);
  expect(dead).toBe(0);
});
