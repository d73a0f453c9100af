import { eventually, startTcpProxy, type TcpProxy, testNatsUrl } from "@regulars/testing";
import { afterAll, beforeAll, expect, it } from "vitest";
import { readiness } from "./outage-fixture.ts";
import { startTestSystem, type TestSystem } from "./system-fixture.ts";

// The API serves every call without NATS, and infra/compose.yaml health-checks it on /readyz: a NATS outage must
// not take the admin and kiosk down with it. A gateway, which cannot accept a sale without NATS, still says so.

let proxy: TcpProxy;
let api: TestSystem;
let gateway: TestSystem;

beforeAll(async () => {
  const target = new URL(testNatsUrl());
  proxy = await startTcpProxy({ host: target.hostname, port: Number(target.port || 4222) });
  api = await startTestSystem({ NATS_URL: proxy.url(testNatsUrl()) }, ["api"]);
  gateway = await startTestSystem({ NATS_URL: proxy.url(testNatsUrl()) }, ["gateway"]);
});
afterAll(async () => {
  await proxy?.restore();
  await api?.dispose();
  await gateway?.dispose();
  await proxy?.close();
});

it("an API-only process stays ready while NATS is down; a gateway does not", { timeout: 60_000 }, async () => {
  expect((await readiness(api.apiUrl!)).status).toBe(200);
  await proxy.refuse();
  await eventually("the API's NATS connection to drop", async () => (api.bus.isConnected() ? undefined : true));
  const ready = await readiness(api.apiUrl!);
  expect(ready.status).toBe(200);
  expect(ready.body.checks).toEqual({ postgres: true });
  await eventually("the gateway to report NATS down", async () =>
    (await readiness(gateway.gatewayUrl!)).body.checks.nats === false ? true : undefined,
  );
});
