import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { deadLetter, publishJson } from "@regulars/bus";
import { runRegularsCli, testBus, testNatsUrl } from "@regulars/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

let bus: Awaited<ReturnType<typeof testBus>>;
const dataDir = mkdtempSync(join(tmpdir(), "regulars-cli-dlq-"));

/** Runs the CLI as operators do; NATS comes from the environment unless `env` says otherwise. */
const regulars = (args: string[], env: Record<string, string | undefined> = {}) =>
  runRegularsCli(args, { NATS_URL: testNatsUrl(), REGULARS_NAMESPACE: bus.topology.namespace, ...env });

const dlqCount = async () => (await bus.jsm.streams.info(bus.topology.streams.deadLetter)).state.messages;

/** Real dead letters, written the way the consumers write them: the next message of `durable`, rejected. */
async function deadLetterNext(stream: string, durable: string) {
  const m = (await (await bus.js.consumers.get(stream, durable)).next({ expires: 5_000 }))!;
  await deadLetter(bus, durable, stream, m, `item ${m.json<{ n: number }>().n} refers to an unknown customer`);
  m.term();
}

/** The ledger reads by partition and dead-letters what it read, at its stream sequence. */
async function deadLetterStored(seq: number, reason: string) {
  const m = await bus.jsm.streams.getMessage(bus.topology.streams.transactions, { seq });
  const letter = { subject: m!.subject, streamSequence: seq, deliveries: 1, payload: m!.string() };
  await deadLetter(bus, bus.topology.consumers.ledger, bus.topology.streams.transactions, letter, reason);
}

let between: Date;
beforeAll(async () => {
  bus = await testBus();
  const { streams, consumers: names, subjects } = bus.topology;
  const first = await publishJson(bus.js, subjects.transaction("ten_a", "store-1", 3), { n: 1 }, "m1");
  const second = await publishJson(bus.js, subjects.transaction("ten_a", "store-2", 5), { n: 2 }, "m2");
  await publishJson(bus.js, subjects.event("ten_b", "app_open"), { n: 3 }, "m3");
  await deadLetterStored(first.seq, "item 1 refers to an unknown customer");
  await deadLetterStored(second.seq, "item 2 refers to an unknown customer");
  await new Promise((r) => setTimeout(r, 50));
  between = new Date();
  await new Promise((r) => setTimeout(r, 50));
  await deadLetterNext(streams.events, names.eventResolver);
  expect(await dlqCount()).toBe(3);
});
afterAll(async () => {
  await bus?.dispose();
  rmSync(dataDir, { recursive: true, force: true });
});

describe("regulars dlq", () => {
  it("lists every dead letter with its sequence, consumer, time, reason and original subject", async () => {
    const run = await regulars(["dlq", "list", "--json"]);
    expect(run.code, run.stderr).toBe(0);
    const rows = JSON.parse(run.stdout) as {
      seq: number;
      consumer: string;
      failedAt: string;
      reason: string;
      subject: string;
    }[];
    expect(rows.map((r) => [r.consumer, r.subject, r.reason])).toEqual([
      ["ledger", bus.topology.subjects.transaction("ten_a", "store-1", 3), "item 1 refers to an unknown customer"],
      ["ledger", bus.topology.subjects.transaction("ten_a", "store-2", 5), "item 2 refers to an unknown customer"],
      ["event-resolver", bus.topology.subjects.event("ten_b", "app_open"), "item 3 refers to an unknown customer"],
    ]);
    expect(rows.every((r) => !Number.isNaN(Date.parse(r.failedAt)) && r.seq > 0)).toBe(true);

    const table = await regulars(["dlq", "list", "--consumer", "event-resolver"]);
    expect(table.code, table.stderr).toBe(0);
    expect(table.stdout.split("\n")[0]).toMatch(/^SEQ\s+CONSUMER\s+FAILED AT\s+REASON\s+SUBJECT$/);
    expect(table.stdout).toContain("item 3 refers to an unknown customer");
    expect(table.stdout).not.toContain("item 1");
  });

  it("filters by time and shows one dead letter with its decoded payload", async () => {
    const since = await regulars(["dlq", "list", "--since", between.toISOString(), "--json"]);
    expect(since.code, since.stderr).toBe(0);
    expect(JSON.parse(since.stdout).map((r: { reason: string }) => r.reason)).toEqual([
      "item 3 refers to an unknown customer",
    ]);
    const recent = await regulars(["dlq", "list", "--since", "1h", "--json"]);
    expect(JSON.parse(recent.stdout)).toHaveLength(3);

    const [first] = JSON.parse((await regulars(["dlq", "list", "--json"])).stdout) as { seq: number }[];
    const shown = await regulars(["dlq", "show", "--id", String(first!.seq), "--json"]);
    expect(shown.code, shown.stderr).toBe(0);
    expect(JSON.parse(shown.stdout)).toMatchObject({
      seq: first!.seq,
      consumer: "ledger",
      payload: { n: 1 },
      deliveries: 1,
    });
  });

  it("finds NATS and the namespace from the running server's server.json when NATS_URL is not set", async () => {
    writeFileSync(
      join(dataDir, "server.json"),
      JSON.stringify({ pid: process.pid, natsUrl: testNatsUrl(), namespace: bus.topology.namespace }),
    );
    const run = await regulars(["dlq", "list", "--json"], {
      NATS_URL: undefined,
      REGULARS_NAMESPACE: undefined,
      REGULARS_DATA_DIR: dataDir,
    });
    expect(run.code, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout)).toHaveLength(3);
  });

  it("refuses unknown consumers, unreadable times and a replay without a selection, naming the flag", async () => {
    const consumer = await regulars(["dlq", "list", "--consumer", "nobody"]);
    expect(consumer.code).toBe(2);
    expect(consumer.stderr).toMatch(/--consumer: must be one of: ledger, event-resolver, analytics-writer/);
    const since = await regulars(["dlq", "list", "--since", "yesterday"]);
    expect(since.code).toBe(2);
    expect(since.stderr).toMatch(/--since: must be a duration/);
    const replay = await regulars(["dlq", "replay"]);
    expect(replay.code).toBe(2);
    expect(replay.stderr).toMatch(/--id, --consumer, --since or --all/);
    const missing = await regulars(["dlq", "show", "--id", "999999"]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/--id: no dead letter 999999/);
    expect(await dlqCount()).toBe(3);
  });

  it("replays onto the original subject under a fresh message id and removes the dead letter", async () => {
    const [first] = JSON.parse((await regulars(["dlq", "list", "--consumer", "ledger", "--json"])).stdout) as {
      seq: number;
      subject: string;
    }[];
    const before = (await bus.jsm.streams.info(bus.topology.streams.transactions)).state.last_seq;
    const run = await regulars(["dlq", "replay", "--id", String(first!.seq)]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toBe(`replayed 1 dead letter(s): ${first!.seq}\n`);

    const replayed = await bus.jsm.streams.getMessage(bus.topology.streams.transactions, { seq: before + 1 });
    expect(replayed!.subject).toBe(first!.subject);
    expect(replayed!.json()).toEqual({ n: 1 });
    expect(replayed!.header?.get("Nats-Msg-Id")).toMatch(/^replay:/);
    expect(await dlqCount()).toBe(2);
    const rest = JSON.parse((await regulars(["dlq", "list", "--json"])).stdout) as { seq: number }[];
    expect(rest.map((r) => r.seq)).not.toContain(first!.seq);
  });
});
