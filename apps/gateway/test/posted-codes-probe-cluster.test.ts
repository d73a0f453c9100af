import { type Bus, connectBus, ensureTopology } from "@regulars/bus";
import type { Db } from "@regulars/db";
import type { CreatedTenant } from "@regulars/tenancy";
import { type NatsCluster, saleBody, startNatsCluster, testDb, testTenant, uniqueNamespace } from "@regulars/testing";
import { afterAll, beforeAll, expect, it } from "vitest";
import { createGatewayApp } from "../src/app.ts";
import { gatewayDeps, type TestGateway } from "./gateway-fixture.ts";

/**
 * A throttled sale is first looked up in JetStream's dedupe by a publish that can never be stored. On a cluster
 * (where a stream leader of nats-server before 2.11 notes a message id before storing, nats-io/nats-server#6486)
 * that publish must not leave its id behind: the same sale posted after the wait is stored, not refused as a
 * duplicate of nothing.
 */
let cluster: NatsCluster;
let bus: Bus;
let db: Db;
let tenant: CreatedTenant;
let gateway: TestGateway;

beforeAll(async () => {
  cluster = await startNatsCluster();
  bus = await connectBus({ url: cluster.url, namespace: uniqueNamespace(), name: "regulars-test" });
  await ensureTopology(bus, { replicas: 3 });
  await cluster.waitForStreams(bus, [bus.topology.streams.transactions], 3);
  db = testDb();
  tenant = await testTenant(db, "Probe On A Cluster");
  gateway = createGatewayApp(gatewayDeps(db, bus, { db, unknownCodeLimit: { limit: 1, windowSeconds: 600 } }));
}, 120_000);
afterAll(async () => {
  await gateway?.stop();
  await bus?.close().catch(() => {});
  await cluster?.dispose();
  await db?.$disconnect();
});

const post = async (body: unknown) => {
  const res = await gateway.request("/v1/transactions", {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${tenant.apiKeys.pos}` },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as any };
};

it("a sale refused while throttled is stored when posted again after the wait", { timeout: 60_000 }, async () => {
  const { id: credentialId } = await db.apiKey.findFirstOrThrow({ where: { tenantId: tenant.tenantId, role: "pos" } });
  await db.$executeRaw`
    INSERT INTO coupon_code_misses (tenant_id, credential_id, window_started_at, misses)
    VALUES (${tenant.tenantId}, ${credentialId}, now(), 1)`;
  const sale = saleBody({ couponCodes: ["GUESS-1AB"] });
  expect(await post(sale)).toMatchObject({ status: 429, body: { code: "rate_limited" } });

  // The window is over (as if it had passed).
  await db.$executeRaw`DELETE FROM coupon_code_misses WHERE tenant_id = ${tenant.tenantId}`;
  expect(await post(sale)).toMatchObject({ status: 202, body: { duplicate: false } });
  expect((await bus.jsm.streams.info(bus.topology.streams.transactions)).state.messages).toBe(1);
  expect(await post(sale)).toMatchObject({ status: 202, body: { duplicate: true } });
});
