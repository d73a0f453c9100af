import { deadLetter } from "@regulars/bus";
import { runRegularsCli, testBus, testNatsUrl } from "@regulars/testing";
import { afterAll, beforeAll, expect, it } from "vitest";

// `regulars dlq replay` of an outbox letter that kept only the beginning of its event (the event was above NATS's
// max_payload): refused, saying how much it kept and what the operator can do, and the letter stays.

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

it("refuses to replay a cut-short outbox dead letter, naming the event and its outbox row", async () => {
  const { consumers, streams, subjects } = bus.topology;
  const eventId = "cli-cut-short:1";
  const payload = JSON.stringify({ id: eventId, filler: "q".repeat(bus.nc.info!.max_payload + 512) });
  // The letter as the outbox writes it (publishEvents): never on a stream, its id the event's.
  const source = { subject: subjects.domain("ten_cut", "coupon.issued"), streamSequence: 0, deliveries: 1, payload };
  const reason = `NATS refused outbox event ${eventId} for good: max_payload`;
  await deadLetter(bus, consumers.outbox, streams.domain, { ...source, letterId: `outbox:${eventId}` }, reason);
  const [listed] = JSON.parse((await regulars(["dlq", "list", "--json"])).stdout) as { seq: number }[];

  const run = await regulars(["dlq", "replay", "--id", String(listed!.seq)]);
  expect(run.code).not.toBe(0);
  expect(run.stderr).toMatch(
    new RegExp(
      `dead letter ${listed!.seq} kept only the first \\d+ of the ${Buffer.byteLength(payload)} bytes of outbox ` +
        `event ${eventId}, so it cannot be replayed`,
    ),
  );
  expect(run.stderr).toContain(`outbox_events row (id ${eventId}, or the batch row holding it) was marked published`);
  expect(run.stderr).toContain("set that row's published_at to NULL");
  expect(run.stderr).not.toMatch(/whole message is 0 on/);
  expect(await dlqCount()).toBe(1);
});
