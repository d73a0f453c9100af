import { deadLetter, publishJson } from "@regulars/bus";
import { runRegularsCli, testBus, testNatsUrl } from "@regulars/testing";
import { afterAll, beforeAll, expect, it } from "vitest";

// `regulars dlq replay` over several letters, one of which `replayDeadLetter` refuses: the others are still replayed,
// the refusal is named with its letter's seq, and the exit code says not everything went.

let bus: Awaited<ReturnType<typeof testBus>>;
beforeAll(async () => {
  bus = await testBus();
});
afterAll(async () => {
  await bus?.dispose();
});

const regulars = (args: string[]) =>
  runRegularsCli(args, { NATS_URL: testNatsUrl(), REGULARS_NAMESPACE: bus.topology.namespace });
const dlqCount = async () => (await bus.jsm.streams.info(bus.topology.streams.deadLetter)).state.messages;

/** A sale the ledger dead-lettered: on the transactions stream, at its stream sequence. */
async function deadLetterSale(n: number) {
  const { consumers, streams, subjects } = bus.topology;
  const sent = await publishJson(bus.js, subjects.transaction("ten_r", `store-${n}`, n), { n }, `sale-${n}`);
  const m = await bus.jsm.streams.getMessage(streams.transactions, { seq: sent.seq });
  const letter = { subject: m!.subject, streamSequence: sent.seq, deliveries: 1, payload: m!.string() };
  await deadLetter(bus, consumers.ledger, streams.transactions, letter, `unknown_customer: sale ${n}`);
}

/** An outbox letter that kept only the beginning of its event: `replayDeadLetter` refuses it. */
async function deadLetterCutShort() {
  const { consumers, streams, subjects } = bus.topology;
  const eventId = "cli-refused:1";
  const payload = JSON.stringify({ id: eventId, filler: "q".repeat(bus.nc.info!.max_payload + 512) });
  const source = { subject: subjects.domain("ten_r", "coupon.issued"), streamSequence: 0, deliveries: 1, payload };
  const reason = `NATS refused outbox event ${eventId} for good: max_payload`;
  await deadLetter(bus, consumers.outbox, streams.domain, { ...source, letterId: `outbox:${eventId}` }, reason);
}

it("goes on past a refused dead letter, names it on stderr, counts both and exits with 1", async () => {
  await deadLetterSale(1);
  await deadLetterCutShort();
  await deadLetterSale(2);
  const [first, refused, last] = (JSON.parse((await regulars(["dlq", "list", "--json"])).stdout) as { seq: number }[])
    .map((r) => r.seq)
    .sort((a, b) => a - b);
  const sales = (await bus.jsm.streams.info(bus.topology.streams.transactions)).state.last_seq;

  const run = await regulars(["dlq", "replay", "--all"]);
  expect(run.code, run.stderr).toBe(1);
  expect(run.stdout).toBe(`replayed 2 dead letter(s): ${first}, ${last}\nrefused 1 dead letter(s): ${refused}\n`);
  expect(run.stderr).toMatch(
    new RegExp(`^refused dead letter ${refused}: dead letter ${refused} kept only the first \\d+ of the`, "m"),
  );
  expect(run.stderr).not.toMatch(new RegExp(`refused dead letter (${first}|${last})\\b`));

  // Both sales are on their subjects again, the later one included; only the refused letter is left.
  const replayed = await Promise.all(
    [1, 2].map((k) => bus.jsm.streams.getMessage(bus.topology.streams.transactions, { seq: sales + k })),
  );
  expect(replayed.map((m) => m!.json())).toEqual([{ n: 1 }, { n: 2 }]);
  expect(await dlqCount()).toBe(1);
  const rest = JSON.parse((await regulars(["dlq", "list", "--json"])).stdout) as { seq: number }[];
  expect(rest.map((r) => r.seq)).toEqual([refused]);
});
