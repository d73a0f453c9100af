import { testBus } from "@regulars/testing";
import { afterAll, beforeAll, expect, it } from "vitest";
import { deadLetter, getDeadLetter, replayDeadLetter } from "../src/index.ts";
import { storedMessages } from "./stream-reader.ts";

/**
 * A dead letter keeps the payload as an escaped JSON string: a message NATS stored can make a letter twice its size,
 * over the server's max_payload. Publishing it failed, and a consumer that cannot dead-letter a message retries it
 * for ever. Such a letter is kept shortened instead. A real NATS server.
 */
let bus: Awaited<ReturnType<typeof testBus>>;
beforeAll(async () => {
  bus = await testBus();
});
afterAll(async () => {
  await bus?.dispose();
});

const letterSeqs = async () => (await storedMessages(bus, bus.topology.streams.deadLetter)).map((m) => m.seq);

it("keeps a letter that would exceed max_payload shortened: reason, origin, the payload's beginning and size", async () => {
  const maxPayload = bus.nc.info!.max_payload;
  // JSON whose every other character is a quote: storable as it is, nearly twice as large once escaped.
  const payload = JSON.stringify({ lines: Array.from({ length: 70_000 }, (_, i) => `"${i}"`) });
  expect(Buffer.byteLength(payload)).toBeLessThan(maxPayload);
  expect(Buffer.byteLength(JSON.stringify(payload))).toBeGreaterThan(maxPayload);
  const source = { subject: "regulars.tx.tenant_a.p3", streamSequence: 4_711, deliveries: 4, payload };

  await deadLetter(bus, "ledger", "REGULARS_TX", source, "gave up after 4 attempts: boom");

  const [seq] = await letterSeqs();
  const stored = await getDeadLetter(bus, seq!);
  expect(stored!.letter).toEqual({
    reason: "gave up after 4 attempts: boom",
    consumer: "ledger",
    stream: "REGULARS_TX",
    subject: source.subject,
    streamSequence: 4_711,
    deliveries: 4,
    failedAt: expect.any(String),
    payload: expect.any(String),
    truncatedFromBytes: Buffer.byteLength(payload),
  });
  expect(stored!.letter.payload.length).toBeGreaterThan(100_000);
  expect(payload.startsWith(stored!.letter.payload)).toBe(true);
  await expect(replayDeadLetter(bus, stored!)).rejects.toThrow(
    /keeps only the beginning of its \d+-byte payload.*message is 4711 on REGULARS_TX/,
  );
  expect(await letterSeqs()).toEqual([seq]); // not replayed, not removed
});

it("keeps a letter that fits whole, as it was", async () => {
  const payload = JSON.stringify({ n: 1, quote: '"' });
  const source = { subject: "regulars.tx.tenant_a.p1", streamSequence: 12, deliveries: 1, payload };
  await deadLetter(bus, "ledger", "REGULARS_TX", source, "rejected");
  const seq = (await letterSeqs()).at(-1)!;
  const stored = await getDeadLetter(bus, seq);
  expect(stored!.letter.payload).toBe(payload);
  expect(stored!.letter).not.toHaveProperty("truncatedFromBytes");
});
