import { createServer } from "node:net";
import type { Db } from "@regulars/db";
import { silentLogger } from "@regulars/logger";
import type { Resolve } from "@regulars/messaging-providers";
import { testDb, testTenant } from "@regulars/testing";
import {
  createEndpoint,
  enqueueDeliveries,
  getEndpoint,
  listDeliveries,
  replayDelivery,
  replayFailedDeliveries,
  setEndpointStatus,
} from "@regulars/webhooks-store";
import { Webhook } from "standardwebhooks";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createWebhookSender, type WebhookSenderOptions } from "../src/index.ts";
import { type Receiver, startReceiver } from "./webhook-receiver.ts";

// The sender against real local HTTP receivers: signatures a receiver's library accepts, retries on the schedule
// (an injected clock, no sleeping), a receiver down for a while, disabling, replays, and a slow receiver that
// holds up nobody else.

let db: Db;
const receivers: Receiver[] = [];
const local = { allowPrivateNetworks: true };
/**
 * Deliveries of these tests are due a year from now (or minutes, where a receiver checks the timestamp): other
 * test files' systems run senders on the same database, and a delivery due by the real clock could be theirs to send.
 */
const ahead = 365 * 86_400_000;
const fromNow = (ms: number) => new Date(Date.now() + ms);

beforeAll(() => {
  db = testDb();
});
afterAll(async () => {
  for (const r of receivers) await r.close();
  await db?.$disconnect();
});

async function receiver(...args: Parameters<typeof startReceiver>) {
  const r = await startReceiver(...args);
  receivers.push(r);
  return r;
}

let eventNo = 0;
const pointsEarned = (tenantId: string, occurredAt = new Date()) => ({
  type: "points.earned",
  id: `earn:${++eventNo}:${Date.now()}`,
  tenantId,
  customerId: "cus_webhooks",
  occurredAt: occurredAt.toISOString(),
  points: 10,
  balance: 10,
});

async function endpointFor(url: string, eventTypes = ["points.*"]) {
  const { tenantId } = await testTenant(db, "Webhook Grill");
  const { endpoint, secret } = await createEndpoint(db, tenantId, { url, eventTypes }, "key_test", local);
  return { tenantId, endpoint, secret };
}

/** A clock the test moves; attempts are made only when the test asks. */
function manualSender(start: Date, tenantId: string, extra: Partial<WebhookSenderOptions> = {}) {
  let now = start;
  const sender = createWebhookSender({
    db,
    log: silentLogger,
    urlPolicy: local,
    clock: () => now,
    random: () => 0,
    timeoutMs: 300,
    tenantIds: [tenantId],
    ...extra,
  });
  return {
    sender,
    at(ms: number) {
      now = new Date(start.getTime() + ms);
      return sender.sendDue();
    },
  };
}

const only = async (tenantId: string) => (await listDeliveries(db, tenantId, { limit: 10 })).items[0]!;

describe("webhook sender", () => {
  it("signs each delivery so that the standardwebhooks library verifies it as a receiver does", async () => {
    let secret = "";
    const verified: unknown[] = [];
    const r = await receiver((request) => {
      try {
        verified.push(new Webhook(secret).verify(request.body, request.headers as Record<string, string>));
        return 204;
      } catch {
        return 400;
      }
    });
    const created = await endpointFor(r.url);
    secret = created.secret;
    const event = pointsEarned(created.tenantId);
    // Two minutes ahead: a receiver accepts timestamps within five minutes of its clock.
    expect(await enqueueDeliveries(db, [event], fromNow(120_000))).toBe(1);
    const sender = createWebhookSender({
      db,
      log: silentLogger,
      urlPolicy: local,
      tenantIds: [created.tenantId],
      clock: () => fromNow(120_000),
    });
    expect(await sender.sendDue()).toBe(1);

    const { tenantId: _t, ...data } = event;
    expect(verified).toEqual([{ type: "points.earned", timestamp: event.occurredAt, data }]);
    const delivery = await only(created.tenantId);
    expect(delivery).toMatchObject({ status: "delivered", attempts: 1, lastStatusCode: 204, eventId: event.id });
    expect(r.received[0]!.headers["webhook-id"]).toBe(delivery.id);
  });

  it("retries a 500 and a timeout on the backoff schedule, with the same webhook-id, until the receiver answers", async () => {
    const r = await receiver((_request, n) => (n === 1 ? 500 : n === 2 ? "hang" : 200));
    const { tenantId } = await endpointFor(r.url);
    const start = fromNow(ahead);
    await enqueueDeliveries(db, [pointsEarned(tenantId)], start);
    const { at } = manualSender(start, tenantId);

    expect(await at(0)).toBe(1);
    expect(await only(tenantId)).toMatchObject({ status: "pending", attempts: 1, lastStatusCode: 500 });
    expect(await at(4_999)).toBe(0); // 5 s after the first failure, not before
    expect(await at(5_000)).toBe(1);
    expect(await only(tenantId)).toMatchObject({
      status: "pending",
      attempts: 2,
      lastError: "no answer within 300 ms",
    });
    expect(await at(5_000 + 14_999)).toBe(0); // then 15 s
    expect(await at(5_000 + 15_000)).toBe(1);

    expect(await only(tenantId)).toMatchObject({ status: "delivered", attempts: 3, lastStatusCode: 200 });
    expect(new Set(r.received.map((q) => q.headers["webhook-id"])).size).toBe(1);
    const stamps = r.received.map((q) => Number(q.headers["webhook-timestamp"]) - Math.floor(start.getTime() / 1000));
    expect(stamps.map((s) => Math.round(s))).toEqual([0, 5, 20]);
    const endpoint = (await getEndpoint(db, tenantId, (await only(tenantId)).endpointId)) as {
      consecutiveFailures: number;
    };
    expect(endpoint.consecutiveFailures).toBe(0);
  });

  it("keeps trying a receiver that is down, and delivers once it is back", async () => {
    const r = await receiver();
    const { tenantId } = await endpointFor(r.url);
    await r.down();
    const start = fromNow(ahead);
    await enqueueDeliveries(db, [pointsEarned(tenantId)], start);
    const { at } = manualSender(start, tenantId);
    await at(0);
    await at(5_000);
    await at(20_000);
    const failing = await only(tenantId);
    expect(failing).toMatchObject({ status: "pending", attempts: 3, lastStatusCode: null });
    expect(failing.lastError).toMatch(/ECONNREFUSED/);
    await r.up();
    expect(await at(65_000)).toBe(1);
    expect(await only(tenantId)).toMatchObject({ status: "delivered", attempts: 4 });
    expect(r.received).toHaveLength(1);
  });
});

describe("a sender under the production URL policy", () => {
  it("never calls an endpoint on this machine, even one saved while local URLs were allowed", async () => {
    const r = await receiver();
    const { tenantId } = await endpointFor(r.url);
    const start = fromNow(ahead);
    await enqueueDeliveries(db, [pointsEarned(tenantId)], start);
    const { at } = manualSender(start, tenantId, { urlPolicy: { allowPrivateNetworks: false } });
    expect(await at(0)).toBe(1);
    expect(await only(tenantId)).toMatchObject({
      status: "pending",
      attempts: 1,
      lastStatusCode: null,
      lastError: "url must be an https URL",
    });
    expect(r.received).toEqual([]);
  });

  it("refuses a name that answered a public address to the check and this machine when connecting", async () => {
    // An internal service on this machine: a plain port that counts who connects.
    let connections = 0;
    const internal = createServer((socket) => {
      connections++;
      socket.destroy();
    });
    await new Promise<void>((resolve) => internal.listen(0, "127.0.0.1", resolve));
    const { port } = internal.address() as { port: number };
    // DNS played by the test (DNS rebinding): the first answer (the check) public, every later one 127.0.0.1.
    const asked: string[] = [];
    const rebinding: Resolve = async (hostname) => {
      asked.push(hostname);
      return [{ address: asked.length === 1 ? "8.8.8.8" : "127.0.0.1", family: 4 }];
    };
    try {
      const { tenantId } = await endpointFor(`https://hooks.rebind.test:${port}/hooks`);
      const start = fromNow(ahead);
      await enqueueDeliveries(db, [pointsEarned(tenantId)], start);
      const { at } = manualSender(start, tenantId, { urlPolicy: { allowPrivateNetworks: false }, resolve: rebinding });
      expect(await at(0)).toBe(1);
      expect(await only(tenantId)).toMatchObject({
        status: "pending",
        attempts: 1,
        lastStatusCode: null,
        lastError: "url resolves to a private address",
      });
      expect(asked).toEqual(["hooks.rebind.test", "hooks.rebind.test"]);
      expect(connections).toBe(0);
    } finally {
      await new Promise<void>((resolve) => internal.close(() => resolve()));
    }
  });

  it("connects to the address the receiver's name resolved to, and sends the name as the host", async () => {
    const r = await receiver(() => 204);
    const { port } = new URL(r.url);
    const { tenantId } = await endpointFor(`http://receiver.dev.test:${port}/hooks`);
    const start = fromNow(ahead);
    await enqueueDeliveries(db, [pointsEarned(tenantId)], start);
    const toLocal: Resolve = async () => [{ address: "127.0.0.1", family: 4 }];
    const { at } = manualSender(start, tenantId, { resolve: toLocal });
    expect(await at(0)).toBe(1);
    expect(await only(tenantId)).toMatchObject({ status: "delivered", attempts: 1, lastStatusCode: 204 });
    expect(r.received.map((q) => q.headers.host)).toEqual([`receiver.dev.test:${port}`]);
  });
});

describe("an endpoint that keeps failing", () => {
  it("is disabled after a day of failures, the admin is told, and its failed deliveries replay with their ids", async () => {
    const r = await receiver(() => 503);
    const { tenantId, endpoint } = await endpointFor(r.url);
    const start = fromNow(ahead);
    await enqueueDeliveries(db, [pointsEarned(tenantId)], start);
    const { at } = manualSender(start, tenantId);
    let elapsed = 0;
    for (let step = 0; step < 60; step++) {
      const pending = (await listDeliveries(db, tenantId, { limit: 10, status: "pending" })).items;
      if (!pending.length) break;
      elapsed = Math.min(...pending.map((d) => Date.parse(d.nextAttemptAt!))) - start.getTime(); // the next one due
      if (elapsed > 12 * 3_600_000 && (await listDeliveries(db, tenantId, { limit: 10 })).items.length === 1)
        await enqueueDeliveries(db, [pointsEarned(tenantId)], new Date(start.getTime() + elapsed)); // one more, mid-way
      await at(elapsed);
    }
    expect(elapsed).toBe(24 * 3_600_000); // the last attempt at the end of the day

    const disabled = await getEndpoint(db, tenantId, endpoint.id);
    expect(disabled.status).toBe("disabled");
    expect(disabled.disabledReason).toMatch(/^every attempt failed since .* in a row; the last: HTTP 503\)$/);
    const audit = await db.auditLog.findMany({
      where: { tenantId, target: endpoint.id, action: "webhooks.endpoints.disable" },
    });
    expect(audit).toMatchObject([{ actor: "system:webhooks", details: { reason: disabled.disabledReason } }]);
    const failed = (await listDeliveries(db, tenantId, { limit: 10, status: "failed" })).items;
    expect(failed).toHaveLength(2);
    expect(failed.map((d) => d.lastError)).toContain(`endpoint disabled: ${disabled.disabledReason}`);
    // An event raised while it is off is not sent, but not lost either: it waits in the failed list.
    expect(await enqueueDeliveries(db, [pointsEarned(tenantId)], new Date(start.getTime() + 24.5 * 3_600_000))).toBe(0);
    const whileOff = (await listDeliveries(db, tenantId, { limit: 10, status: "failed" })).items;
    expect(whileOff.map((d) => d.lastError)).toEqual([
      `endpoint disabled: ${disabled.disabledReason}`,
      ...failed.map((d) => d.lastError),
    ]);

    // The receiver is fixed; the admin switches the endpoint on and replays what failed.
    r.behave(() => 200);
    r.received.length = 0;
    await setEndpointStatus(db, tenantId, endpoint.id, { status: "enabled" }, "key_admin");
    const replayAt = 25 * 3_600_000;
    const { at: later } = manualSender(new Date(start.getTime() + replayAt), tenantId);
    expect(
      await replayFailedDeliveries(db, tenantId, endpoint.id, "key_admin", new Date(start.getTime() + replayAt)),
    ).toBe(3);
    expect(await later(0)).toBe(3);
    expect(r.received.map((q) => q.headers["webhook-id"]).sort()).toEqual(whileOff.map((d) => d.id).sort());
    expect((await listDeliveries(db, tenantId, { limit: 10, status: "delivered" })).items).toHaveLength(3);

    // A delivered one replays too (a receiver that lost it), under the same id.
    await replayDelivery(db, tenantId, failed[0]!.id, "key_admin", new Date(start.getTime() + replayAt));
    expect(await later(1)).toBe(1);
    expect(r.received.at(-1)!.headers["webhook-id"]).toBe(failed[0]!.id);
  });
});

describe("a slow receiver", () => {
  it("holds a few slots while another endpoint's deliveries go out at once", async () => {
    const slow = await receiver(() => "hang");
    const fast = await receiver(() => 204);
    const slowEndpoint = await endpointFor(slow.url);
    const fastEndpoint = await endpointFor(fast.url);
    const earlier = fromNow(ahead - 60_000);
    const slowEvents = Array.from({ length: 20 }, () => pointsEarned(slowEndpoint.tenantId));
    await enqueueDeliveries(db, slowEvents, earlier); // due first
    await enqueueDeliveries(
      db,
      Array.from({ length: 10 }, () => pointsEarned(fastEndpoint.tenantId)),
      fromNow(ahead),
    );
    const sender = createWebhookSender({
      db,
      log: silentLogger,
      urlPolicy: local,
      concurrency: 8,
      perEndpoint: 2,
      timeoutMs: 10_000,
      pollMs: 50,
      tenantIds: [slowEndpoint.tenantId, fastEndpoint.tenantId],
      clock: () => fromNow(ahead),
    });
    const started = Date.now();
    sender.start();
    try {
      while (fast.received.length < 10 && Date.now() - started < 8_000) await new Promise((r) => setTimeout(r, 20));
      expect(fast.received).toHaveLength(10);
      expect(Date.now() - started).toBeLessThan(8_000); // before the slow receiver's 10 s timeout
      expect(slow.received.length).toBeLessThanOrEqual(2);
    } finally {
      await slow.close(); // its attempts fail at once rather than waiting for the timeout
      await sender.stop();
    }
  });
});
