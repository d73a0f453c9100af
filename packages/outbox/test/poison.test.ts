import { randomBytes } from "node:crypto";
import { type Bus, type DeadLetterInfo, readDeadLetters, type StoredDeadLetter } from "@regulars/bus";
import { createDb, type Db, migrateDatabase } from "@regulars/db";
import { writeOutbox } from "@regulars/ledger-store";
import { silentLogger } from "@regulars/logger";
import { eventually, testBus, testDatabaseUrl, testDb } from "@regulars/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startOutboxFlusher, startOutboxRelay } from "../src/index.ts";

// An event JetStream refuses for good (larger than the server's max_payload or the stream's max_msg_size) can never
// be published: it is dead-lettered with the reason and the events after it go on. A failure that may pass (no
// connection, no answer) leaves the rows for the next pass, as before.

let bus: Awaited<ReturnType<typeof testBus>>;
let db: Db;
/** The domain stream of this file's namespace refuses messages above this (a server refuses above max_payload). */
const streamLimit = 64 * 1024;

beforeAll(async () => {
  bus = await testBus();
  db = testDb();
  const info = await bus.jsm.streams.info(bus.topology.streams.domain);
  await bus.jsm.streams.update(bus.topology.streams.domain, { ...info.config, max_msg_size: streamLimit });
});
afterAll(async () => {
  await bus?.dispose();
  await db?.$disconnect();
});

const tenantId = () => `ten_${randomBytes(4).toString("hex")}`;
const event = (tenant: string, n: number, filler = "") => ({
  id: `poison-test:${tenant}:${n}`,
  tenantId: tenant,
  type: "coupon.issued",
  payload: { id: `poison-test:${tenant}:${n}`, tenantId: tenant, type: "coupon.issued", n, filler },
});
const publishedAt = async (on: Db, ids: string[]) =>
  on.$queryRaw<{ id: string; published_at: Date | null }[]>`
    SELECT id, published_at FROM outbox_events WHERE id = ANY(${ids}::text[]) ORDER BY id`;
const inStream = async (tenant: string) => {
  const subject = bus.topology.subjects.domain(tenant, "coupon.issued");
  const info = await bus.jsm.streams.info(bus.topology.streams.domain, { subjects_filter: subject });
  return info.state.subjects?.[subject] ?? 0;
};
const lettersOf = async (on: Bus, tenant: string) => {
  const letters: StoredDeadLetter[] = [];
  for await (const d of readDeadLetters(on, { consumer: on.topology.consumers.outbox }))
    if (d.letter.subject.includes(`.${tenant}.`)) letters.push(d);
  return letters;
};

it("dead-letters an event NATS refuses for good (its size, its subject) with the reason, and publishes the tenant's later events", async () => {
  const tenant = tenantId();
  const maxPayload = bus.nc.info?.max_payload ?? 1024 * 1024;
  // Over the stream's limit (JetStream refuses it), over the server's (the client refuses to send it), an illegal
  // subject (a type with a space), then one that is fine.
  const events = [
    event(tenant, 1, "x".repeat(streamLimit * 2)),
    event(tenant, 2, "y".repeat(maxPayload + 1024)),
    { ...event(tenant, 3), type: "coupon issued" },
    event(tenant, 4),
  ];
  for (const e of events) await db.$transaction((tx) => writeOutbox(tx, [e]));
  const counted: DeadLetterInfo[] = [];
  const flusher = startOutboxFlusher({ db, bus, log: silentLogger, onDeadLetter: (info) => void counted.push(info) });
  flusher.flush(tenant);
  await flusher.stop();

  // Out of the way: no pass tries them again, and the event after them is published.
  expect(
    (
      await publishedAt(
        db,
        events.map((e) => e.id),
      )
    ).every((r) => r.published_at !== null),
  ).toBe(true);
  expect(await inStream(tenant)).toBe(1);
  const letters = await lettersOf(bus, tenant);
  expect(letters.map((d) => d.letter.reason)).toEqual([
    expect.stringMatching(/poison-test:.*:1 .*size exceeds maximum/),
    expect.stringMatching(/poison-test:.*:2 .*max_payload/),
    expect.stringMatching(/poison-test:.*:3 .*illegal subject/),
  ]);
  expect(letters[0]!.letter).toMatchObject({ consumer: "outbox", stream: bus.topology.streams.domain });
  expect(JSON.parse(letters[0]!.letter.payload)).toEqual(events[0]!.payload); // whole: it fits a letter
  expect(letters[1]!.letter.truncatedFromBytes).toBeGreaterThan(maxPayload); // its beginning only
  expect(counted.map((c) => [c.consumer, c.category])).toEqual([
    ["outbox", "rejected"],
    ["outbox", "rejected"],
    ["outbox", "rejected"],
  ]);
  await db.$executeRaw`DELETE FROM outbox_events WHERE id = ANY(${events.map((e) => e.id)}::text[])`;
});

it("leaves every row for the next pass when a failure may pass, dead-lettering nothing", async () => {
  const tenant = tenantId();
  const events = [event(tenant, 1, "x".repeat(streamLimit * 2)), event(tenant, 2)];
  for (const e of events) await db.$transaction((tx) => writeOutbox(tx, [e]));
  const closed = await testBus();
  await closed.dispose(); // its connection is closed: every publish fails, the refused one's too
  const counted: DeadLetterInfo[] = [];
  const flusher = startOutboxFlusher({ db, bus: closed, log: silentLogger, onDeadLetter: (i) => void counted.push(i) });
  flusher.flush(tenant);
  await flusher.stop();
  expect(
    (
      await publishedAt(
        db,
        events.map((e) => e.id),
      )
    ).map((r) => r.published_at),
  ).toEqual([null, null]);
  expect(counted).toEqual([]);
  await db.$executeRaw`DELETE FROM outbox_events WHERE id = ANY(${events.map((e) => e.id)}::text[])`;
});

describe("the relay", () => {
  // The relay takes every tenant's rows of its database: a database of its own keeps other test files' rows out.
  let own: Db;
  let admin: Db;
  const name = `regulars_outbox_${randomBytes(4).toString("hex")}`;
  beforeAll(async () => {
    admin = createDb({ url: testDatabaseUrl(), poolSize: 1 });
    await admin.$executeRawUnsafe(`CREATE DATABASE ${name}`);
    const url = new URL(testDatabaseUrl());
    url.pathname = `/${name}`;
    await migrateDatabase(url.toString());
    own = createDb({ url: url.toString(), poolSize: 2 });
  });
  afterAll(async () => {
    await own?.$disconnect();
    await admin?.$executeRawUnsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin?.$disconnect();
  });

  it("goes past a refused event left behind instead of failing on it for ever, and other tenants' events with it", async () => {
    const [tenant, other] = [tenantId(), tenantId()];
    const refused = event(tenant, 1, "x".repeat(streamLimit * 2));
    const later = [event(tenant, 2), event(other, 1)];
    for (const e of [refused, ...later]) await own.$transaction((tx) => writeOutbox(tx, [e]));
    const relay = startOutboxRelay({ db: own, bus, log: silentLogger, intervalMs: 50, graceMs: 0 });
    try {
      await eventually("the events after the refused one published", async () =>
        (
          await publishedAt(
            own,
            later.map((e) => e.id),
          )
        ).every((r) => r.published_at)
          ? true
          : undefined,
      );
    } finally {
      await relay.stop();
    }
    expect(await inStream(tenant)).toBe(1);
    expect(await inStream(other)).toBe(1);
    expect((await lettersOf(bus, tenant)).map((d) => JSON.parse(d.letter.payload))).toEqual([refused.payload]);
    expect((await publishedAt(own, [refused.id]))[0]?.published_at).not.toBeNull();
  });
});
