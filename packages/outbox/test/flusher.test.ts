import { randomBytes } from "node:crypto";
import { AckPolicy } from "@nats-io/jetstream";
import type { Db } from "@regulars/db";
import { expandOutbox, outboxBatch, writeOutbox } from "@regulars/ledger-store";
import { silentLogger } from "@regulars/logger";
import { eventually, testBus, testDb } from "@regulars/testing";
import { afterAll, beforeAll, expect, it } from "vitest";
import { startOutboxFlusher } from "../src/index.ts";

// A writer without a publisher of its own (the API) hands its tenant to the flusher after a commit: that
// tenant's committed events are published at once, with no relay grace, and nobody else's are touched.

let bus: Awaited<ReturnType<typeof testBus>>;
let db: Db;

beforeAll(async () => {
  bus = await testBus();
  db = testDb();
});
afterAll(async () => {
  await bus?.dispose();
  await db?.$disconnect();
});

const tenantId = () => `ten_${randomBytes(4).toString("hex")}`;
const event = (tenant: string, n: number) => ({
  id: `test-event:${tenant}:${n}`,
  tenantId: tenant,
  type: "coupon.issued",
  payload: { id: `test-event:${tenant}:${n}`, tenantId: tenant, type: "coupon.issued", n },
});
const publishedAt = async (ids: string[]) =>
  db.$queryRaw<{ id: string; published_at: Date | null }[]>`
    SELECT id, published_at FROM outbox_events WHERE id = ANY(${ids}::text[]) ORDER BY id`;
const inStream = async (tenant: string) => {
  const info = await bus.jsm.streams.info(bus.topology.streams.domain, {
    subjects_filter: bus.topology.subjects.domain(tenant, "coupon.issued"),
  });
  return info.state.subjects?.[bus.topology.subjects.domain(tenant, "coupon.issued")] ?? 0;
};

it("publishes the tenant's just-committed events at once and leaves other tenants' to their own writers", async () => {
  const [mine, other] = [tenantId(), tenantId()];
  const events = [event(mine, 1), event(mine, 2), event(other, 1)];
  await db.$transaction((tx) => writeOutbox(tx, events));
  const flusher = startOutboxFlusher({ db, bus, log: silentLogger });
  flusher.flush(mine);
  flusher.flush(mine); // asked again while the first pass runs: one more pass, nothing published twice
  await flusher.stop();

  const rows = await publishedAt(events.map((e) => e.id));
  expect(rows.filter((r) => r.published_at !== null).map((r) => r.id)).toEqual([events[0]!.id, events[1]!.id]);
  expect(await inStream(mine)).toBe(2);
  expect(await inStream(other)).toBe(0);
  await db.$executeRaw`DELETE FROM outbox_events WHERE id = ANY(${events.map((e) => e.id)}::text[])`;
});

it("leaves the rows unpublished when publishing fails, for the next flush or the relay", async () => {
  const tenant = tenantId();
  const events = [event(tenant, 1)];
  await db.$transaction((tx) => writeOutbox(tx, events));
  const closed = await testBus();
  await closed.dispose(); // its connection is closed: every publish fails
  const flusher = startOutboxFlusher({ db, bus: closed, log: silentLogger });
  flusher.flush(tenant);
  await flusher.stop();
  expect((await publishedAt([events[0]!.id]))[0]?.published_at).toBeNull();

  const working = startOutboxFlusher({ db, bus, log: silentLogger });
  working.flush(tenant);
  await eventually("the event published by the next flush", async () =>
    (await publishedAt([events[0]!.id]))[0]?.published_at ? true : undefined,
  );
  await working.stop();
  await db.$executeRaw`DELETE FROM outbox_events WHERE id = ANY(${events.map((e) => e.id)}::text[])`;
});

it("publishes a batch row as its events, each under its own id, and marks the one row published", async () => {
  const tenant = tenantId();
  const events = [event(tenant, 1), event(tenant, 2), event(tenant, 3)];
  const [batch] = outboxBatch(events);
  // What the events share is stored once; expanded, each is whole again.
  expect(batch!.payload).toMatchObject({ shared: { tenantId: tenant, type: "coupon.issued" } });
  expect((batch!.payload as { events: { payload: object }[] }).events.map((e) => e.payload)).toEqual(
    events.map((e) => ({ id: e.id, n: e.payload.n })),
  );
  expect(expandOutbox([batch!])).toEqual(events);
  expect(outboxBatch([events[0]!])).toEqual([events[0]]);
  // One row per tenant, each tenant's events in their order; a lone event stays a row of its own.
  const other = event(tenantId(), 1);
  const mixed = outboxBatch([events[0]!, other, events[1]!, events[2]!]);
  expect(mixed.map((r) => r.id)).toEqual([`batch:${events[0]!.id}:3`, other.id]);
  expect(expandOutbox(mixed)).toEqual([...events, other]);
  expect(() => outboxBatch([batch!, events[0]!])).toThrow(/not batches/);
  await db.$transaction((tx) => writeOutbox(tx, [batch!]));
  // Written again (a replayed chunk): the same row, nothing more to publish.
  await db.$transaction((tx) => writeOutbox(tx, outboxBatch(events)));
  expect(await publishedAt(events.map((e) => e.id))).toEqual([]);

  const flusher = startOutboxFlusher({ db, bus, log: silentLogger });
  flusher.flush(tenant);
  await flusher.stop();
  expect((await publishedAt([batch!.id]))[0]?.published_at).not.toBeNull();
  expect(await inStream(tenant)).toBe(3);
  // A throw-away consumer reads the tenant's messages back as a consumer of the stream receives them.
  const info = await bus.jsm.consumers.add(bus.topology.streams.domain, {
    filter_subject: bus.topology.subjects.domain(tenant, "coupon.issued"),
    ack_policy: AckPolicy.None,
  });
  const reader = await bus.js.consumers.get(bus.topology.streams.domain, info.name);
  const fetched = await reader.fetch({ max_messages: 3, expires: 2_000 });
  const received: unknown[] = [];
  for await (const m of fetched) received.push([m.headers?.get("Nats-Msg-Id"), m.json()]);
  expect(received).toEqual(events.map((e) => [e.id, e.payload]));
  await bus.jsm.consumers.delete(bus.topology.streams.domain, info.name);
  await db.$executeRaw`DELETE FROM outbox_events WHERE id = ${batch!.id}`;
});
