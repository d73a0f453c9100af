import { eventually, startTcpProxy, type TcpProxy, testNatsUrl } from "@regulars/testing";
import { afterEach, expect, it } from "vitest";
import { type Bus, busIsReady, connectBus } from "../src/index.ts";

let proxy: TcpProxy | undefined;
let bus: Bus | undefined;
afterEach(async () => {
  await bus?.nc.close();
  await proxy?.close();
});

it("knows at once when the connection to NATS is lost, is not ready meanwhile, and recovers by itself", async () => {
  const nats = new URL(testNatsUrl());
  proxy = await startTcpProxy({ host: nats.hostname, port: Number(nats.port || 4222) });
  bus = await connectBus({ url: proxy.url(testNatsUrl()), name: "regulars-test-connection" });
  expect(proxy.accepted).toBe(1);
  expect(bus.isConnected()).toBe(true);
  expect(await busIsReady(bus)).toBe(true);

  await proxy.refuse();
  await eventually("the client to notice", async () => (bus!.isConnected() ? undefined : true));
  expect(await busIsReady(bus)).toBe(false);

  await proxy.restore();
  await eventually("the client to reconnect", async () => (bus!.isConnected() ? true : undefined));
  expect(await busIsReady(bus)).toBe(true);
  expect(proxy.accepted).toBeGreaterThan(1);
});

it("refused at start-up, names NATS and its address, without the credentials", async () => {
  const nats = new URL(testNatsUrl());
  proxy = await startTcpProxy({ host: nats.hostname, port: Number(nats.port || 4222) });
  await proxy.refuse();
  const url = `nats://regulars:s3cret@${proxy.address}`;
  const failure = await connectBus({ url, name: "regulars-test-connection" }).then(
    () => null,
    (e: Error) => e,
  );
  expect(failure?.message).toMatch(
    new RegExp(`^NATS at nats://${proxy.address.replaceAll(".", "\\.")} is unreachable: `),
  );
  expect(failure?.message).not.toContain("s3cret");
});
