import { createDb, type Db } from "@regulars/db";
import {
  eventually,
  saleBody,
  startTcpProxy,
  type TcpProxy,
  testDatabaseUrl,
  testNatsUrl,
  testTenant,
} from "@regulars/testing";
import { afterAll, beforeAll, expect, it } from "vitest";
import { readiness } from "./outage-fixture.ts";
import { startTestSystem, type TestSystem } from "./system-fixture.ts";

// While NATS is unreachable nothing can be stored, so the gateway must say so at once (503, the till
// keeps the sale and retries) instead of holding every request for the publish timeout, and /readyz
// must answer at once too. The gateway reaches NATS through a TCP proxy that refuses and resets.

let proxy: TcpProxy;
let system: TestSystem;
let db: Db;

beforeAll(async () => {
  const nats = new URL(testNatsUrl());
  proxy = await startTcpProxy({ host: nats.hostname, port: Number(nats.port || 4222) });
  system = await startTestSystem({ NATS_URL: proxy.url(testNatsUrl()), WORKERS: "ledger" }, ["gateway", "workers"]);
  db = createDb({ url: testDatabaseUrl(), poolSize: 2 });
});
afterAll(async () => {
  await proxy?.restore();
  await system?.dispose();
  await db?.$disconnect();
  await proxy?.close();
});

const timed = async <T>(work: () => Promise<T>): Promise<[T, number]> => {
  const started = performance.now();
  const result = await work();
  return [result, performance.now() - started];
};

it("refuses sales at once while NATS is unreachable, is not ready meanwhile, and accepts again when it is back", {
  timeout: 60_000,
}, async () => {
  const tenant = await testTenant(db, "Bus Outage Burgers");
  const gateway = system.gatewayUrl!;
  expect(
    (await system.post("/v1/transactions", tenant.apiKeys.pos, saleBody({ externalId: "nats-before" }))).status,
  ).toBe(202);
  expect((await readiness(gateway)).body.checks.nats).toBe(true);

  await proxy.refuse();
  await eventually("the gateway to know NATS is gone", async () =>
    (await readiness(gateway)).body.checks.nats === false ? true : undefined,
  );
  const [notReady, readyzMs] = await timed(() => readiness(gateway));
  const [refused, postMs] = await timed(() =>
    system.post("/v1/transactions", tenant.apiKeys.pos, saleBody({ externalId: "nats-during" })),
  );
  console.log(
    `nats outage: POST answered ${refused.status} in ${postMs.toFixed(0)} ms, /readyz answered ${notReady.status} in ${readyzMs.toFixed(0)} ms`,
  );
  expect(notReady.status).toBe(503);
  expect(refused.status).toBe(503);
  // Refused because the connection is known lost, not after waiting for a publish to time out.
  expect(refused.body).toMatchObject({
    code: "unavailable",
    message: expect.stringMatching(/message bus is unreachable/),
  });

  await proxy.restore();
  await eventually("the gateway to be ready again", async () =>
    (await readiness(gateway)).status === 200 ? true : undefined,
  );
  const after = await system.post("/v1/transactions", tenant.apiKeys.pos, saleBody({ externalId: "nats-after" }));
  expect(after.status).toBe(202);
  await eventually("the sales accepted to be applied", async () =>
    (await db.transaction.count({ where: { tenantId: tenant.tenantId } })) === 2 ? true : undefined,
  );
  const stored = await db.transaction.findMany({ where: { tenantId: tenant.tenantId }, select: { externalId: true } });
  expect(stored.map((s) => s.externalId).sort()).toEqual(["nats-after", "nats-before"]);
});
