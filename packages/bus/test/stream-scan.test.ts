import { AckPolicy, DeliverPolicy } from "@nats-io/jetstream";
import { testBus, withEmptyFetches } from "@regulars/testing";
import { expect, it } from "vitest";
import { scanLeftNothing } from "../src/erase-messages.ts";
import { deadLetter, readDeadLetters } from "../src/index.ts";

// A scan (a dead-letter listing, an erasure's) may take itself for complete only when it can show it reached the
// end: a fetch can come back empty with messages still due, and a listing or an erasure cut short there acted on
// part of the range as if on all of it. A real NATS server.

const letters = (bus: Awaited<ReturnType<typeof testBus>>, n: number) =>
  Promise.all(
    Array.from({ length: n }, (_, i) =>
      deadLetter(
        bus,
        bus.topology.consumers.ledger,
        bus.topology.streams.transactions,
        { subject: "x.tx.p0", streamSequence: i + 1, deliveries: 1, payload: `{"i":${i}}` },
        "a test's rejection",
      ),
    ),
  );

it("a scan whose fetches keep coming back empty with messages due throws rather than ending as complete", async () => {
  const bus = await testBus();
  try {
    await letters(bus, 3);
    const listing = async () => {
      for await (const _ of readDeadLetters(withEmptyFetches(bus), { consumer: bus.topology.consumers.ledger }));
    };
    await expect(listing()).rejects.toThrow(/fetches in a row came back empty with messages still due/);
  } finally {
    await bus.dispose();
  }
});

it("a listing longer than one fetch is read to its last letter", async () => {
  const bus = await testBus();
  try {
    await letters(bus, 1_500);
    let read = 0;
    for await (const _ of readDeadLetters(bus, { consumer: bus.topology.consumers.ledger })) read++;
    expect(read).toBe(1_500);
  } finally {
    await bus.dispose();
  }
});

it("a consumer with messages still due is not a finished scan; one read to its end, or whose rest went, is", async () => {
  const bus = await testBus();
  const stream = bus.topology.streams.deadLetter;
  try {
    await letters(bus, 5);
    const { name } = await bus.jsm.consumers.add(stream, {
      ack_policy: AckPolicy.None,
      deliver_policy: DeliverPolicy.All,
      mem_storage: true,
    });
    const reader = await bus.js.consumers.get(stream, name);
    const firstTwo: number[] = [];
    for await (const m of await reader.fetch({ max_messages: 2, expires: 2_000 })) firstTwo.push(m.seq);
    expect(await scanLeftNothing(bus, stream, name)).toBe(false);
    // The rest deleted meanwhile: nothing is left to read.
    const { state } = await bus.jsm.streams.info(stream);
    for (let seq = firstTwo.at(-1)! + 1; seq <= state.last_seq; seq++) await bus.jsm.streams.deleteMessage(stream, seq);
    expect(await scanLeftNothing(bus, stream, name)).toBe(true);
  } finally {
    await bus.dispose();
  }
});
