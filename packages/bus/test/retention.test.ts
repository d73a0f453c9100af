import { AckPolicy, DiscardPolicy } from "@nats-io/jetstream";
import { testBus } from "@regulars/testing";
import { afterEach, describe, expect, it } from "vitest";
import {
  busDefaults,
  ensureTopology,
  firstSeqStoredSince,
  firstUnacknowledged,
  publishJson,
  trimStream,
} from "../src/index.ts";

// A stream keeps what a reader has not read, however old; what every reader is done with goes once it is older than
// the keep window. Ages are relative to now: "older than the window" is a keepSince in the future.

const day = 24 * 60 * 60 * 1000;
const later = () => new Date(Date.now() + day); // every message stored so far is older than this
const earlier = () => new Date(Date.now() - day); // every message stored so far is younger than this
const ns = (ms: number) => ms * 1_000_000;

let bus: Awaited<ReturnType<typeof testBus>> | null = null;
afterEach(async () => {
  await bus?.dispose();
  bus = null;
});

async function publishEvents(b: NonNullable<typeof bus>, count: number, tag: string) {
  const seqs: number[] = [];
  for (let i = 0; i < count; i++) {
    const subject = b.topology.subjects.event("tn_retention", "visit");
    seqs.push((await publishJson(b.js, subject, { i, tag }, `${tag}-${i}`)).seq);
  }
  return seqs;
}

async function streamState(b: NonNullable<typeof bus>, stream: string) {
  const { state } = await b.jsm.streams.info(stream);
  return { first: state.first_seq, messages: state.messages };
}

/** Reads and acknowledges `count` messages through the event resolver's durable consumer. */
async function acknowledge(b: NonNullable<typeof bus>, count: number) {
  const consumer = await b.js.consumers.get(b.topology.streams.events, b.topology.consumers.eventResolver);
  const batch = await consumer.fetch({ max_messages: count, expires: 2_000 });
  let read = 0;
  for await (const m of batch) {
    await m.ackAck();
    if (++read === count) break;
  }
  expect(read).toBe(count);
}

describe("firstSeqStoredSince", () => {
  it("finds the first message stored at or after a time, and one past the last when none is", async () => {
    bus = await testBus();
    const stream = bus.topology.streams.events;
    const before = await publishEvents(bus, 3, "before");
    await new Promise((r) => setTimeout(r, 300));
    const cut = new Date();
    const after = await publishEvents(bus, 2, "after");
    expect(await firstSeqStoredSince(bus, stream, cut)).toBe(after[0]);
    expect(await firstSeqStoredSince(bus, stream, earlier())).toBe(before[0]);
    expect(await firstSeqStoredSince(bus, stream, later())).toBe(after[1]! + 1);
  });
});

describe("trimStream", () => {
  it("keeps what the durable consumer has not acknowledged, however old, and deletes the rest past the window", async () => {
    bus = await testBus();
    const { events } = bus.topology.streams;
    const seqs = await publishEvents(bus, 5, "e");
    const unread = () => firstUnacknowledged(bus!, events);
    expect(await unread()).toBe(seqs[0]);
    expect(await trimStream(bus, events, later(), unread)).toBe(0);

    await acknowledge(bus, 3);
    expect(await unread()).toBe(seqs[3]);
    // Read but younger than the window: kept.
    expect(await trimStream(bus, events, earlier(), unread)).toBe(0);
    expect(await streamState(bus, events)).toEqual({ first: seqs[0], messages: 5 });
    // Read and older: gone; the two unread stay.
    expect(await trimStream(bus, events, later(), unread)).toBe(3);
    expect(await streamState(bus, events)).toEqual({ first: seqs[3], messages: 2 });

    await acknowledge(bus, 2);
    expect(await unread()).toBeNull();
    expect(await trimStream(bus, events, later(), unread)).toBe(2);
    expect((await streamState(bus, events)).messages).toBe(0);
    // The consumer reads on from there: a message stored after the trim is delivered.
    const [next] = await publishEvents(bus, 1, "next");
    const consumer = await bus.js.consumers.get(events, bus.topology.consumers.eventResolver);
    expect((await consumer.next({ expires: 2_000 }))?.seq).toBe(next);
  });

  it("counts only durable consumers: an ephemeral reader's position holds nothing back", async () => {
    bus = await testBus();
    const { events } = bus.topology.streams;
    await publishEvents(bus, 3, "e");
    await acknowledge(bus, 3);
    await bus.jsm.consumers.add(events, { ack_policy: AckPolicy.Explicit, inactive_threshold: ns(60_000) });
    expect(await firstUnacknowledged(bus, events)).toBeNull();
    expect(await trimStream(bus, events, later(), () => firstUnacknowledged(bus!, events))).toBe(3);
  });
});

describe("stream limits", () => {
  it("gives the streams that carry points no age limit and refuses new messages when full; the domain stream a backstop", async () => {
    bus = await testBus();
    const { streams } = bus.topology;
    // A stream made by an earlier version, with a week's age limit that dropped the oldest message, read or not.
    await bus.jsm.streams.update(streams.transactions, { max_age: ns(7 * day), discard: DiscardPolicy.Old });
    await ensureTopology(bus);
    for (const name of [streams.transactions, streams.events]) {
      const { config } = await bus.jsm.streams.info(name);
      expect({ name, maxAge: config.max_age, discard: config.discard }).toEqual({
        name,
        maxAge: 0,
        discard: DiscardPolicy.New,
      });
    }
    const { config: domain } = await bus.jsm.streams.info(streams.domain);
    expect(domain.max_age).toBe(ns(busDefaults.domainMaxAgeMs));
    expect(busDefaults.domainMaxAgeMs).toBeGreaterThan(busDefaults.keepReadMs);
  });
});
