import type { Db } from "@regulars/db";
import { testDb, testTenant } from "@regulars/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type ClaimedDelivery,
  claimDueDeliveries,
  createEndpoint,
  deleteEndpoint,
  enqueueDeliveries,
  getEndpoint,
  listDeliveries,
  listEndpoints,
  maxEndpointsPerTenant,
  replayDelivery,
  rotateSecret,
  updateEndpoint,
} from "../src/index.ts";

// The store on its own: idempotent fan-out, claims that never overlap, per-endpoint limits, refusals, isolation.

let db: Db;
const local = { allowPrivateNetworks: true };
/** Claims look a year ahead: other test files' systems run senders on this database and take what is due now. */
const ahead = new Date(Date.now() + 365 * 86_400_000);
beforeAll(() => {
  db = testDb();
});
afterAll(async () => {
  await db?.$disconnect();
});

const events = (tenantId: string, n: number, type = "points.earned") =>
  Array.from({ length: n }, (_, i) => ({
    type,
    id: `${type}:${i}:${Math.random()}`,
    tenantId,
    occurredAt: new Date().toISOString(),
  }));

describe("fan-out", () => {
  it("enqueues an event once per subscribed endpoint, however often it arrives", async () => {
    const { tenantId } = await testTenant(db, "Store Grill");
    await createEndpoint(db, tenantId, { url: "http://127.0.0.1:1/a", eventTypes: ["points.*"] }, "key_1", local);
    await createEndpoint(db, tenantId, { url: "http://127.0.0.1:1/b", eventTypes: ["tier.changed"] }, "key_1", local);
    const batch = events(tenantId, 3);
    expect(await enqueueDeliveries(db, batch)).toBe(3);
    expect(await enqueueDeliveries(db, [...batch, ...batch])).toBe(0);
    expect(await enqueueDeliveries(db, events(tenantId, 2, "tier.changed"))).toBe(2);
    expect((await listDeliveries(db, tenantId, { limit: 100 })).items).toHaveLength(5);
  });

  it("writes a batch larger than one insert's chunk, every row once", async () => {
    const { tenantId } = await testTenant(db, "Chunked Grill");
    for (const path of ["a", "b", "c"])
      await createEndpoint(db, tenantId, { url: `http://127.0.0.1:1/${path}`, eventTypes: ["*"] }, "key_1", local);
    const batch = events(tenantId, 700);
    expect(await enqueueDeliveries(db, batch, ahead)).toBe(2_100);
    expect(await enqueueDeliveries(db, batch, ahead)).toBe(0);
    expect(await db.webhookDelivery.count({ where: { tenantId } })).toBe(2_100);
  });
});

describe("claims", () => {
  it("never hand the same delivery to two senders claiming at once", async () => {
    const { tenantId } = await testTenant(db, "Claim Grill");
    for (const path of ["a", "b", "c", "d"])
      await createEndpoint(db, tenantId, { url: `http://127.0.0.1:1/${path}`, eventTypes: ["*"] }, "key_1", local);
    await enqueueDeliveries(db, events(tenantId, 50), ahead);
    const now = new Date(ahead.getTime() + 1_000);
    const only = { tenantIds: [tenantId] };
    const claim = () => claimDueDeliveries(db, { now, limit: 120, leaseMs: 60_000, perEndpoint: 1_000, ...only });
    const claims: ClaimedDelivery[][] = await Promise.all([claim(), claim(), claim()]);
    const ids = claims.flat().map((c) => c.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.length).toBeLessThanOrEqual(200);
    // What is left is claimed later, and nothing twice; a claim holds until its lease ends.
    const rest = await claim();
    expect(new Set([...ids, ...rest.map((c) => c.id)]).size).toBe(200);
    expect(await claim()).toEqual([]);
    const afterLease = await claimDueDeliveries(db, {
      now: new Date(now.getTime() + 61_000),
      limit: 1_000,
      leaseMs: 60_000,
      perEndpoint: 1_000,
      ...only,
    });
    expect(afterLease).toHaveLength(200);
  });

  it("take at most perEndpoint of an endpoint, counting attempts already in flight", async () => {
    const { tenantId } = await testTenant(db, "Busy Grill");
    const busy = await createEndpoint(db, tenantId, { url: "http://127.0.0.1:1/busy", eventTypes: ["*"] }, "k", local);
    await enqueueDeliveries(db, events(tenantId, 10), ahead);
    const now = new Date(ahead.getTime() + 1_000);
    const inFlight = new Map([[busy.endpoint.id, 3]]);
    const claimed = await claimDueDeliveries(db, {
      now,
      limit: 10,
      leaseMs: 60_000,
      perEndpoint: 4,
      inFlight,
      tenantIds: [tenantId],
    });
    expect(claimed.filter((c) => c.endpointId === busy.endpoint.id)).toHaveLength(1);
  });
});

describe("endpoints", () => {
  it("refuse private URLs and unknown event types, naming the field", async () => {
    const { tenantId } = await testTenant(db, "Refusing Grill");
    await expect(
      createEndpoint(db, tenantId, { url: "http://10.0.0.1/hook", eventTypes: ["points.*", "orders.*"] }, "k"),
    ).rejects.toMatchObject({
      code: "invalid_request",
      issues: [
        { path: "url", message: "must be an https URL" },
        { path: "eventTypes.1", message: 'no event types start with "orders."' },
      ],
    });
  });

  it("are capped per tenant, the refusal naming the limit; a deleted one frees its place", async () => {
    const { tenantId } = await testTenant(db, "Capped Grill");
    const create = (n: number) =>
      createEndpoint(db, tenantId, { url: `http://127.0.0.1:1/${n}`, eventTypes: ["*"] }, "k", local);
    // Created at once: the last places cannot be taken twice.
    const made = await Promise.allSettled(Array.from({ length: maxEndpointsPerTenant + 3 }, (_, n) => create(n)));
    expect(made.filter((m) => m.status === "fulfilled")).toHaveLength(maxEndpointsPerTenant);
    const refused = made.filter((m) => m.status === "rejected").map((m) => m.reason);
    expect(refused).toHaveLength(3);
    expect(refused[0]).toMatchObject({
      code: "conflict",
      message: `a tenant may have at most ${maxEndpointsPerTenant} webhook endpoints: delete one before adding another`,
    });
    expect(await listEndpoints(db, tenantId)).toHaveLength(maxEndpointsPerTenant);
    const [first] = await listEndpoints(db, tenantId);
    await deleteEndpoint(db, tenantId, first!.id, "k");
    await expect(create(99)).resolves.toMatchObject({ endpoint: { url: "http://127.0.0.1:1/99" } });
    // Another tenant's count is its own.
    const other = await testTenant(db, "Uncapped Grill");
    await expect(
      createEndpoint(db, other.tenantId, { url: "http://127.0.0.1:1/o", eventTypes: ["*"] }, "k", local),
    ).resolves.toBeDefined();
  });

  it("sign with the previous secret beside the new one for a day after a rotation", async () => {
    const { tenantId } = await testTenant(db, "Rotating Grill");
    const created = await createEndpoint(db, tenantId, { url: "http://127.0.0.1:1/r", eventTypes: ["*"] }, "k", local);
    const rotated = await rotateSecret(db, tenantId, created.endpoint.id, "k");
    expect(rotated.secret).not.toBe(created.secret);
    // Minutes ahead (not a year: the previous secret is accepted for a day after the rotation).
    const soon = new Date(Date.now() + 10 * 60_000);
    await enqueueDeliveries(db, events(tenantId, 1), soon);
    const now = new Date(soon.getTime() + 1_000);
    const claimOf = (at: Date) =>
      claimDueDeliveries(db, { now: at, limit: 5, leaseMs: 1, perEndpoint: 5, tenantIds: [tenantId] });
    const [claimed] = await claimOf(now);
    expect(claimed!.secrets).toEqual([rotated.secret, created.secret]);
    const dayLater = new Date(now.getTime() + 25 * 3_600_000);
    const [later] = await claimOf(dayLater);
    expect(later!.secrets).toEqual([rotated.secret]);
  });

  it("of one tenant are invisible to another, and so are their deliveries", async () => {
    const mine = await testTenant(db, "Mine Grill");
    const theirs = await testTenant(db, "Theirs Grill");
    const { endpoint } = await createEndpoint(
      db,
      mine.tenantId,
      { url: "http://127.0.0.1:1/m", eventTypes: ["*"] },
      "k",
      local,
    );
    await enqueueDeliveries(db, events(mine.tenantId, 1));
    const [delivery] = (await listDeliveries(db, mine.tenantId, { limit: 10 })).items;
    expect(await listEndpoints(db, theirs.tenantId)).toEqual([]);
    expect((await listDeliveries(db, theirs.tenantId, { limit: 10, endpointId: endpoint.id })).items).toEqual([]);
    await expect(getEndpoint(db, theirs.tenantId, endpoint.id)).rejects.toMatchObject({ code: "not_found" });
    await expect(updateEndpoint(db, theirs.tenantId, endpoint.id, { description: "x" }, "k")).rejects.toMatchObject({
      code: "not_found",
    });
    await expect(replayDelivery(db, theirs.tenantId, delivery!.id, "k")).rejects.toMatchObject({ code: "not_found" });
    // An event published under another tenant never reaches this tenant's endpoint.
    expect(await enqueueDeliveries(db, events(theirs.tenantId, 3))).toBe(0);
  });
});
