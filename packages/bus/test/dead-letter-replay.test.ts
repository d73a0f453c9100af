import { eventually } from "@regulars/testing";
import { beforeEach, expect, it } from "vitest";
import {
  consumerBacklog,
  deadLetter,
  done,
  publishJson,
  readDeadLetters,
  replayDeadLetter,
  type StoredDeadLetter,
} from "../src/index.ts";
import { replayForHeader } from "../src/topology.ts";
import { consumerHarness, recorder } from "./consumer-harness.ts";
import { storedMessages } from "./stream-reader.ts";

/**
 * A dead letter is one consumer's; its replay goes back on a stream other durables read too, which acked the
 * message long ago. Only the letter's consumer may handle it again: the others ack it unread. A real NATS server.
 */
const h = consumerHarness();
beforeEach(() => h.useBus());

const domain = () => h.bus.topology.streams.domain;
const stampOn = (subject: string, n: number) => publishJson(h.bus.js, subject, { n, store: "store-017" }, `stamp-${n}`);

async function lettersOf(consumer: string): Promise<StoredDeadLetter[]> {
  const out: StoredDeadLetter[] = [];
  for await (const letter of readDeadLetters(h.bus, { consumer })) out.push(letter);
  return out;
}

const drained = (stream: string, durable: string) =>
  eventually(`${durable} to drain`, async () => (await consumerBacklog(h.bus, stream, durable)) === 0 || undefined);

/** Rejects stamp `n` the first time it comes, then handles it. */
const rejectFirstOf = (n: number) => {
  let rejected = false;
  return recorder((item) => {
    if (item.n !== n || rejected) return done;
    rejected = true;
    return { kind: "reject", reason: "refused" };
  });
};

/** The analytics writer gives up on stamp 1 the first time; the webhook fan-out handles everything. */
async function twoDomainConsumers() {
  const { analyticsWriter, webhookFanout } = h.bus.topology.consumers;
  const analytics = rejectFirstOf(1);
  const fanout = recorder();
  await h.startConsumer({ stream: domain(), durable: analyticsWriter, handle: analytics.handle });
  await h.startConsumer({ stream: domain(), durable: webhookFanout, handle: fanout.handle });
  return {
    analytics,
    fanout,
    drained: () => Promise.all([analyticsWriter, webhookFanout].map((d) => drained(domain(), d))),
  };
}

it("replays a dead letter to its own consumer only: another consumer of the stream acks it unread", async () => {
  const subject = h.bus.topology.subjects.domain("tenant_a", "points.earned");
  const { analytics, fanout, drained: bothDrained } = await twoDomainConsumers();
  await stampOn(subject, 1);
  const [letter] = await eventually("the analytics writer's letter", async () => {
    const found = await lettersOf(h.bus.topology.consumers.analyticsWriter);
    return found.length ? found : undefined;
  });
  await bothDrained();
  expect(fanout.seen(1)).toBe(1);

  const { seq } = await replayDeadLetter(h.bus, letter!);
  const [stored] = (await storedMessages(h.bus, domain())).filter((m) => m.seq === seq);
  expect(stored?.header.get(replayForHeader)).toBe(h.bus.topology.consumers.analyticsWriter);
  await bothDrained();

  expect(analytics.seen(1)).toBe(2);
  expect(analytics.succeeded.get(1)).toBe(1);
  expect(fanout.seen(1)).toBe(1); // acked unread: pending 0, handler not called again
  expect(await lettersOf(h.bus.topology.consumers.analyticsWriter)).toEqual([]);
});

it("replays to the only reader of a stream, and an outbox letter (never on a stream) to every reader", async () => {
  // The event resolver alone reads the events stream: its replay is addressed to it and handled.
  const rejectFirst = rejectFirstOf(7);
  await h.startConsumer({ handle: rejectFirst.handle });
  await h.publishStamps([7]);
  const [own] = await eventually("the event resolver's letter", async () => {
    const found = await lettersOf(h.bus.topology.consumers.eventResolver);
    return found.length ? found : undefined;
  });
  await replayDeadLetter(h.bus, own!);
  await h.drained();
  expect(rejectFirst.succeeded.get(7)).toBe(1);

  // NATS refused the outbox's event, so nobody read it: its replay is for every consumer of the domain stream.
  const { analytics, fanout, drained: bothDrained } = await twoDomainConsumers();
  const outbox = h.bus.topology.consumers.outbox;
  const subject = h.bus.topology.subjects.domain("tenant_a", "points.earned");
  const payload = JSON.stringify({ n: 2, store: "store-017" });
  await deadLetter(
    h.bus,
    outbox,
    domain(),
    { subject, streamSequence: 0, deliveries: 1, payload, letterId: "o:2" },
    "x",
  );
  const [refused] = await lettersOf(outbox);
  await replayDeadLetter(h.bus, refused!);
  await bothDrained();
  expect([analytics.seen(2), fanout.seen(2)]).toEqual([1, 1]);
});
