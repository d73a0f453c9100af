import type { Db } from "@regulars/db";
import { eventually, holdTransaction, testDatabaseUrl, testDb, testTenant } from "@regulars/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  applyEndpointStatus,
  createEndpoint,
  enqueueDeliveries,
  enqueuePing,
  listDeliveries,
  replayDelivery,
  replayFailedDeliveries,
  setEndpointStatus,
} from "../src/index.ts";

// An endpoint switched off while deliveries to it are being made pending (a fan-out, a replay, a ping): whichever
// commits first, nothing is left pending on the endpoint (no sender takes it, the failed list does not show it,
// a replay calls it queued and no prune removes it). Everything it was sent is failed, to be replayed.

let db: Db;
/** A year ahead: other test files' systems run senders on this database and take what is due now. */
const ahead = new Date(Date.now() + 365 * 86_400_000);
beforeAll(() => {
  db = testDb();
});
afterAll(async () => {
  await db?.$disconnect();
});

async function endpointOf(name: string) {
  const { tenantId } = await testTenant(db, name);
  const { endpoint } = await createEndpoint(
    db,
    tenantId,
    { url: "http://127.0.0.1:1/hook", eventTypes: ["points.*"] },
    "key_1",
    { allowPrivateNetworks: true },
  );
  const event = (n: string) => ({
    type: "points.earned",
    id: `points.earned:${n}`,
    tenantId,
    occurredAt: ahead.toISOString(),
  });
  const deliveries = async () =>
    (await listDeliveries(db, tenantId, { limit: 10 })).items.map((d) => [d.eventId, d.status, d.lastError]);
  return { tenantId, endpointId: endpoint.id, event, deliveries };
}

/**
 * Runs `write` while the switching off of the endpoint is made but not committed, and commits it once `write` has
 * either finished (it went by the endpoint as it was) or waits for the switching off: both orders are then seen.
 */
async function duringDisable<T>(e: { tenantId: string; endpointId: string }, write: () => Promise<T>) {
  let heldPid = 0;
  const held = await holdTransaction(testDatabaseUrl(), async (tx) => {
    heldPid = (await tx.$queryRaw<{ pid: number }[]>`SELECT pg_backend_pid() AS pid`)[0]!.pid;
    const off = { status: "disabled" as const, reason: "maintenance" };
    await applyEndpointStatus(tx, e.tenantId, e.endpointId, off, "key_1", ahead);
  });
  const written = write().then(
    (value) => ({ value }),
    (error: unknown) => ({ error }),
  );
  let settled = false;
  void written.then(() => (settled = true));
  try {
    await eventually("the write to finish or to wait for the switching off", async () => {
      if (settled) return true;
      const [row] = await db.$queryRaw<{ waiting: number }[]>`
        SELECT count(*)::int AS waiting FROM pg_stat_activity WHERE ${heldPid}::int = ANY(pg_blocking_pids(pid))`;
      return row && row.waiting > 0 ? true : undefined;
    });
  } finally {
    await held.commit();
  }
  return written;
}

const off = "endpoint disabled: maintenance";

describe("an endpoint switched off while deliveries to it are made pending", () => {
  it("an event fanned out meanwhile is kept in the failed list, not left pending", async () => {
    const e = await endpointOf("Racing Fan-out Grill");

    const fanned = await duringDisable(e, () => enqueueDeliveries(db, [e.event("a")], ahead));

    expect(await e.deliveries()).toEqual([["points.earned:a", "failed", off]]);
    expect(fanned).toEqual({ value: 0 });
  });

  it("a replay of one delivery meanwhile is refused, the delivery left failed", async () => {
    const e = await endpointOf("Racing Replay Grill");
    await enqueueDeliveries(db, [e.event("a")], ahead);
    await setEndpointStatus(db, e.tenantId, e.endpointId, { status: "disabled", reason: "earlier" }, "key_1", ahead);
    await setEndpointStatus(db, e.tenantId, e.endpointId, { status: "enabled" }, "key_1", ahead);
    const [failed] = (await listDeliveries(db, e.tenantId, { status: "failed", limit: 10 })).items;

    const replayed = await duringDisable(e, () => replayDelivery(db, e.tenantId, failed!.id, "key_1", ahead));

    expect(await e.deliveries()).toEqual([["points.earned:a", "failed", "endpoint disabled: earlier"]]);
    expect(replayed).toEqual({ error: expect.objectContaining({ code: "conflict" }) });
  });

  it("a replay of the failed list meanwhile is refused, the deliveries left failed", async () => {
    const e = await endpointOf("Racing Replay-all Grill");
    await enqueueDeliveries(db, [e.event("a")], ahead);
    await setEndpointStatus(db, e.tenantId, e.endpointId, { status: "disabled", reason: "earlier" }, "key_1", ahead);
    await setEndpointStatus(db, e.tenantId, e.endpointId, { status: "enabled" }, "key_1", ahead);

    const replayed = await duringDisable(e, () => replayFailedDeliveries(db, e.tenantId, e.endpointId, "key_1", ahead));

    expect(await e.deliveries()).toEqual([["points.earned:a", "failed", "endpoint disabled: earlier"]]);
    expect(replayed).toEqual({ error: expect.objectContaining({ code: "conflict" }) });
  });

  it("a ping meanwhile is refused, nothing left pending", async () => {
    const e = await endpointOf("Racing Ping Grill");

    const pinged = await duringDisable(e, () => enqueuePing(db, e.tenantId, e.endpointId, "key_1", ahead));

    expect(await e.deliveries()).toEqual([]);
    expect(pinged).toEqual({ error: expect.objectContaining({ code: "conflict" }) });
  });
});
