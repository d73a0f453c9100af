import type { Db } from "@regulars/db";
import { testDb, testTenant } from "@regulars/testing";
import { defaultRetrySchedule } from "@regulars/webhooks";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  claimDueDeliveries,
  createEndpoint,
  enqueueDeliveries,
  listDeliveries,
  recordAttempt,
  replayDelivery,
  replayFailedDeliveries,
} from "../src/index.ts";

// Replays: the backoff starts over, every attempt stays counted, and a delivery already pending is left alone.

let db: Db;
/** A year ahead: other test files' systems run senders on this database and take what is due now. */
const ahead = new Date(Date.now() + 365 * 86_400_000);
const local = { allowPrivateNetworks: true };
/** Never switches the endpoint off, however long it fails: these tests replay to it. */
const neverDisable = { afterMs: Number.MAX_SAFE_INTEGER, minFailures: Number.MAX_SAFE_INTEGER };
const failure = { ok: false as const, statusCode: 503, error: "HTTP 503" };
const { firstDelayMs, jitter } = defaultRetrySchedule;

beforeAll(() => {
  db = testDb();
});
afterAll(async () => {
  await db?.$disconnect();
});

async function oneDelivery(name: string) {
  const { tenantId } = await testTenant(db, name);
  const { endpoint } = await createEndpoint(
    db,
    tenantId,
    { url: "http://127.0.0.1:1/hook", eventTypes: ["*"] },
    "key_1",
    local,
  );
  const event = {
    type: "points.earned",
    id: `points.earned:${Math.random()}`,
    tenantId,
    occurredAt: ahead.toISOString(),
  };
  await enqueueDeliveries(db, [event], ahead);
  const [delivery] = (await listDeliveries(db, tenantId, { limit: 1 })).items;
  const row = () => db.webhookDelivery.findUniqueOrThrow({ where: { id: delivery!.id } });
  const claim = (now: Date) =>
    claimDueDeliveries(db, { now, limit: 5, leaseMs: 60_000, perEndpoint: 5, tenantIds: [tenantId] });
  /** Claims it when due and records a failed attempt; the time of that attempt. */
  const failOnce = async () => {
    const now = (await row()).nextAttemptAt;
    const [claimed] = await claim(now);
    expect(claimed?.id).toBe(delivery!.id);
    await recordAttempt(db, claimed!, failure, { now, disablePolicy: neverDisable });
    return now;
  };
  return { tenantId, endpointId: endpoint.id, id: delivery!.id, row, claim, failOnce };
}

/** The wait after a first failure: the schedule's first step, less at most its jitter. */
function expectFirstStep(failedAt: Date, next: Date) {
  expect(next.getTime() - failedAt.getTime()).toBeGreaterThanOrEqual(firstDelayMs * (1 - jitter));
  expect(next.getTime() - failedAt.getTime()).toBeLessThanOrEqual(firstDelayMs);
}

describe("a replay", () => {
  it("starts the backoff over: after a day of retries, the first failure since waits seconds, not hours", async () => {
    const d = await oneDelivery("Replay Grill");
    while ((await d.row()).status === "pending") await d.failOnce();
    const dead = await d.row();
    expect(dead).toMatchObject({ status: "failed" });
    expect(dead.attempts).toBeGreaterThan(10);

    const replayedAt = new Date(dead.nextAttemptAt.getTime() + 3_600_000);
    expect(await replayDelivery(db, d.tenantId, d.id, "key_admin", replayedAt)).toMatchObject({
      status: "pending",
      attempts: dead.attempts,
      nextAttemptAt: replayedAt.toISOString(),
    });
    const failedAt = await d.failOnce();
    const after = await d.row();
    expect(after.attempts).toBe(dead.attempts + 1);
    expectFirstStep(failedAt, after.nextAttemptAt);

    // The same for every failed delivery of the endpoint at once.
    while ((await d.row()).status === "pending") await d.failOnce();
    const again = new Date((await d.row()).nextAttemptAt.getTime() + 3_600_000);
    expect(await replayFailedDeliveries(db, d.tenantId, d.endpointId, "key_admin", again)).toBe(1);
    const failedAgainAt = await d.failOnce();
    expectFirstStep(failedAgainAt, (await d.row()).nextAttemptAt);
  });

  it("leaves a pending delivery alone: one in flight is not handed to a second sender", async () => {
    const d = await oneDelivery("Pending Grill");
    const [inFlight] = await d.claim(ahead);
    const leased = await d.row();
    const replayed = await replayDelivery(db, d.tenantId, d.id, "key_admin", ahead);
    expect(replayed).toMatchObject({ status: "pending", nextAttemptAt: leased.nextAttemptAt.toISOString() });
    expect(await d.claim(ahead)).toEqual([]);
    expect(await recordAttempt(db, inFlight!, failure, { now: ahead, disablePolicy: neverDisable })).toBe("retrying");
    const audit = await db.auditLog.count({ where: { tenantId: d.tenantId, action: "webhooks.deliveries.replay" } });
    expect(audit).toBe(0);
  });
});
