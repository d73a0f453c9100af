import { type Bus, connectBus, ensureTopology } from "@regulars/bus";
import type { Db } from "@regulars/db";
import type { CreatedTenant } from "@regulars/tenancy";
import {
  deleteStreams,
  eventually,
  saleBody,
  startTcpProxy,
  type TcpProxy,
  testDb,
  testNatsUrl,
  testTenant,
  uniqueNamespace,
} from "@regulars/testing";
import { afterAll, beforeAll, expect, it } from "vitest";
import { createGatewayApp } from "../src/app.ts";
import { gatewayDeps, type TestGateway } from "./gateway-fixture.ts";

/**
 * A batch is stored whole or answered 503 whole: while NATS is unreachable the till keeps its backlog and
 * sends it again later, when what was stored meanwhile reads as duplicate. The bus goes through a proxy
 * that refuses and resets connections.
 */
let db: Db;
let bus: Bus;
let proxy: TcpProxy;
let tenant: CreatedTenant;
let gateway: TestGateway;

beforeAll(async () => {
  db = testDb();
  const nats = new URL(testNatsUrl());
  proxy = await startTcpProxy({ host: nats.hostname, port: Number(nats.port || 4222) });
  bus = await connectBus({ url: proxy.url(testNatsUrl()), namespace: uniqueNamespace() });
  await ensureTopology(bus);
  tenant = await testTenant(db, "Unplugged Tills");
  gateway = createGatewayApp(gatewayDeps(db, bus));
});
afterAll(async () => {
  await proxy?.restore();
  await gateway?.stop();
  await deleteStreams(bus);
  await bus?.close();
  await proxy?.close();
  await db?.$disconnect();
});

const postBatch = async (transactions: unknown[]) => {
  const res = await gateway.request("/v1/transactions/batch", {
    method: "POST",
    headers: { authorization: `Bearer ${tenant.apiKeys.pos}`, "content-type": "application/json" },
    body: JSON.stringify({ transactions }),
  });
  return { status: res.status, body: (await res.json()) as any };
};

it("answers 503 at once for the whole batch while NATS is unreachable, and stores it when it is back", {
  timeout: 60_000,
}, async () => {
  const backlog = [saleBody(), saleBody(), saleBody()];
  await proxy.refuse();
  await eventually("the bus to know NATS is gone", async () => (bus.isConnected() ? undefined : true));
  const refused = await postBatch(backlog);
  expect(refused).toEqual({
    status: 503,
    body: {
      code: "unavailable",
      message: expect.stringMatching(/message bus is unreachable/),
      requestId: expect.any(String),
    },
  });

  await proxy.restore();
  await eventually("the bus to reconnect", async () => (bus.isConnected() ? true : undefined));
  const stored = await postBatch(backlog);
  expect(stored).toMatchObject({ status: 202, body: { accepted: 3, duplicates: 0, invalid: 0 } });
  const info = await bus.jsm.streams.info(bus.topology.streams.transactions);
  expect(info.state.messages).toBe(3);
});
