import type { Db } from "@regulars/db";
import { testDb, testTenant } from "@regulars/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  claimDueDeliveries,
  createEndpoint,
  enqueueDeliveries,
  listDeliveries,
  recordAttempt,
  recordDelivered,
  replayFailedDeliveries,
  setEndpointStatus,
} from "../src/index.ts";

// An endpoint switched off loses nothing: events raised meanwhile wait in the failed list for a replay, and an
// attempt whose request was out as it went off counts once the receiver took it.

let db: Db;
/** A year ahead: other test files' systems run senders on this database and take what is due now. */
const ahead = new Date(Date.now() + 365 * 86_400_000);
const local = { allowPrivateNetworks: true };
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
    local,
  );
  const event = (n: string) => ({
    type: "points.earned",
    id: `points.earned:${n}`,
    tenantId,
    occurredAt: ahead.toISOString(),
  });
  const claim = (now: Date) =>
    claimDueDeliveries(db, { now, limit: 10, leaseMs: 60_000, perEndpoint: 10, tenantIds: [tenantId] });
  const off = () =>
    setEndpointStatus(db, tenantId, endpoint.id, { status: "disabled", reason: "maintenance" }, "key_1", ahead);
  return { tenantId, endpointId: endpoint.id, event, claim, off };
}

describe("while an endpoint is disabled", () => {
  it("its events are kept as failed deliveries, replayed once it is on again", async () => {
    const e = await endpointOf("Paused Grill");
    await e.off();
    // Nothing to send (no sender is woken), but nothing dropped either; and a redelivered event is kept once.
    expect(await enqueueDeliveries(db, [e.event("a"), e.event("b")], ahead)).toBe(0);
    expect(await enqueueDeliveries(db, [e.event("a")], ahead)).toBe(0);
    const failed = (await listDeliveries(db, e.tenantId, { status: "failed", limit: 10 })).items;
    expect(failed.map((d) => [d.eventId, d.attempts, d.lastError]).sort()).toEqual([
      ["points.earned:a", 0, "endpoint disabled: maintenance"],
      ["points.earned:b", 0, "endpoint disabled: maintenance"],
    ]);
    expect(await e.claim(ahead)).toEqual([]);

    await setEndpointStatus(db, e.tenantId, e.endpointId, { status: "enabled" }, "key_1", ahead);
    expect(await replayFailedDeliveries(db, e.tenantId, e.endpointId, "key_1", ahead)).toBe(2);
    expect((await e.claim(ahead)).map((c) => c.id).sort()).toEqual(failed.map((d) => d.id).sort());
  });

  it("a delivery whose request was out as it went off is delivered when the receiver answers 200", async () => {
    const e = await endpointOf("Midflight Grill");
    await enqueueDeliveries(db, [e.event("ok"), e.event("ok2"), e.event("bad")], ahead);
    const claimed = await e.claim(ahead);
    expect(claimed).toHaveLength(3);
    await e.off();
    const of = (id: string) => claimed.find((c) => (JSON.parse(c.body) as { data: { id: string } }).data.id === id)!;
    const ok = of("points.earned:ok");
    expect(await recordDelivered(db, [{ claimed: ok, statusCode: 200 }], ahead)).toEqual(new Set([ok.id]));
    const ok2 = of("points.earned:ok2");
    expect(await recordAttempt(db, ok2, { ok: true, statusCode: 204 }, { now: ahead })).toBe("delivered");
    // A failure changes nothing: it stays failed by the switching off, to be replayed.
    const failure = { ok: false as const, statusCode: 503, error: "HTTP 503" };
    expect(await recordAttempt(db, of("points.earned:bad"), failure, { now: ahead })).toBe("stale");

    const all = (await listDeliveries(db, e.tenantId, { limit: 10 })).items;
    const state = Object.fromEntries(all.map((d) => [d.eventId, [d.status, d.attempts, d.lastError]]));
    expect(state).toEqual({
      "points.earned:ok": ["delivered", 1, null],
      "points.earned:ok2": ["delivered", 1, null],
      "points.earned:bad": ["failed", 0, "endpoint disabled: maintenance"],
    });
    // The same success recorded twice (a lease ran out and another sender took it) is stale the second time.
    expect(await recordDelivered(db, [{ claimed: ok, statusCode: 200 }], ahead)).toEqual(new Set());
  });
});
