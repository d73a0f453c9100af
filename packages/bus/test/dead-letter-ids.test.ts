import { testBus } from "@regulars/testing";
import { afterAll, beforeAll, expect, it } from "vitest";
import { deadLetter, readDeadLetters, replayDeadLetter, type StoredDeadLetter } from "../src/index.ts";
import { storedMessages } from "./stream-reader.ts";

/**
 * The dead-letter stream drops a letter whose id it saw in the last hour. Several consumers read the domain stream,
 * so the id says which consumer gave up: otherwise the second consumer's letter about the same message was dropped
 * and the message counted as handled. A real NATS server.
 */
let bus: Awaited<ReturnType<typeof testBus>>;
beforeAll(async () => {
  bus = await testBus();
});
afterAll(async () => {
  await bus?.dispose();
});

async function lettersOf(consumer?: string): Promise<StoredDeadLetter[]> {
  const out: StoredDeadLetter[] = [];
  for await (const letter of readDeadLetters(bus, consumer ? { consumer } : {})) out.push(letter);
  return out;
}

it("keeps one letter per consumer giving up on the same domain message, and one consumer's repeat once", async () => {
  const stream = bus.topology.streams.domain;
  const source = {
    subject: bus.topology.subjects.domain("tenant_a", "transaction.processed"),
    streamSequence: 42,
    deliveries: 5,
    payload: JSON.stringify({ type: "transaction.processed" }),
  };

  await deadLetter(bus, "analytics-writer", stream, source, "gave up after 5 attempts: boom");
  await deadLetter(bus, "campaign-triggers", stream, source, "gave up after 5 attempts: boom");
  // Redelivered before its acknowledgement landed: the same consumer gives up on the same message again.
  await deadLetter(bus, "analytics-writer", stream, { ...source, deliveries: 6 }, "gave up after 6 attempts: boom");

  const analyticsLetters = await lettersOf("analytics-writer");
  const triggerLetters = await lettersOf("campaign-triggers");
  expect(analyticsLetters.map((l) => l.letter.deliveries)).toEqual([5]);
  expect(triggerLetters.map((l) => [l.letter.consumer, l.letter.streamSequence])).toEqual([["campaign-triggers", 42]]);
  expect(await lettersOf()).toHaveLength(2);

  // Replaying one consumer's letter leaves the other's in place.
  const before = (await bus.jsm.streams.info(stream)).state.messages;
  await replayDeadLetter(bus, triggerLetters[0]!);
  expect((await bus.jsm.streams.info(stream)).state.messages).toBe(before + 1);
  const [replayed] = (await storedMessages(bus, stream)).slice(-1);
  expect(replayed?.subject).toBe(source.subject);
  expect(await lettersOf("campaign-triggers")).toEqual([]);
  expect((await lettersOf()).map((l) => l.letter.consumer)).toEqual(["analytics-writer"]);
});
