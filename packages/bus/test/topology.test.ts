import { AckPolicy } from "@nats-io/jetstream";
import { domainEventTypes } from "@regulars/contracts";
import { deleteStreams, testBus, testNatsUrl, uniqueNamespace } from "@regulars/testing";
import { afterEach, describe, expect, it } from "vitest";
import { type Bus, busTopology, connectBus, consumerBacklog, ensureTopology, publishJson } from "../src/index.ts";
import { storedMessages } from "./stream-reader.ts";

describe("names", () => {
  it("derives every stream and subject from the namespace", () => {
    const t = busTopology("shop_7");
    expect(t.namespace).toBe("shop_7");
    expect(t.streams).toEqual({
      transactions: "SHOP_7_TX",
      events: "SHOP_7_EVENTS",
      domain: "SHOP_7_DOMAIN",
      deadLetter: "SHOP_7_DLQ",
    });
    expect(t.subjects.transaction("ten_1", "store-017", 7)).toBe("shop_7.tx.p07.ten_1.store-017");
    expect(t.subjects.transactionPartition(7)).toBe("shop_7.tx.p07.>");
    expect(t.subjects.tenantTransactions("ten_1")).toBe("shop_7.tx.*.ten_1.*");
    expect(t.subjects.event("ten_1", "visit")).toBe("shop_7.ev.ten_1.visit");
    expect(t.subjects.domain("ten_1", "transaction.processed")).toBe("shop_7.domain.ten_1.transaction.processed");
    expect(t.subjects.domain("ten_1", "points.earned")).toBe("shop_7.domain.ten_1.points.earned");
    expect(t.subjects.domain("ten_1", "campaign.enrolled")).toBe("shop_7.marketing.ten_1.campaign.enrolled");
    expect(t.subjects.domain("ten_1", "message.sent")).toBe("shop_7.marketing.ten_1.message.sent");
    expect(t.subjects.deadLetter("ledger")).toBe("shop_7.dlq.ledger");
    expect([
      t.subjects.allTransactions,
      t.subjects.allEvents,
      t.subjects.allDomain,
      t.subjects.allMarketing,
      t.subjects.allDeadLetters,
    ]).toEqual(["shop_7.tx.>", "shop_7.ev.>", "shop_7.domain.>", "shop_7.marketing.>", "shop_7.dlq.>"]);
  });

  it("puts every campaign and message event type, and only those, on the marketing subjects", () => {
    const t = busTopology("shop_7");
    const marketing = domainEventTypes.filter((type) => t.subjects.domain("t", type).startsWith("shop_7.marketing."));
    expect(marketing.sort()).toEqual([
      "campaign.enrolled",
      "message.clicked",
      "message.delivered",
      "message.failed",
      "message.opened",
      "message.sent",
    ]);
    for (const type of domainEventTypes)
      expect(t.subjects.domain("t", type)).toMatch(/^shop_7\.(domain|marketing)\.t\./);
  });

  it("uses the regulars namespace by default and shares nothing between namespaces", () => {
    expect(busTopology().streams.transactions).toBe("REGULARS_TX");
    const a = busTopology("a");
    const b = busTopology("b");
    for (const key of Object.keys(a.streams) as (keyof Bus["topology"]["streams"])[])
      expect(a.streams[key]).not.toBe(b.streams[key]);
    expect(a.subjects.transaction("t", "l", 0).startsWith("b.")).toBe(false);
  });

  it("refuses namespaces that could break stream names or subjects", () => {
    expect(busTopology(`a${"b".repeat(30)}`).namespace).toHaveLength(31);
    for (const bad of ["", "1st", "Shop", "a-b", "a.b", "a b", "a>", "a*", `a${"b".repeat(31)}`]) {
      expect(() => busTopology(bad), JSON.stringify(bad)).toThrow(/bus namespace/);
    }
  });
});

describe("on JetStream", () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  it("can declare the topology again without losing messages or consumer positions", async () => {
    const bus = await testBus();
    cleanups.push(() => bus.dispose());
    const { streams, consumers, subjects } = bus.topology;
    await publishJson(bus.js, subjects.event("t1", "visit"), { n: 1 }, "m1");
    await publishJson(bus.js, subjects.event("t1", "visit"), { n: 2 }, "m2");
    const consumer = await bus.js.consumers.get(streams.events, consumers.eventResolver);
    const first = await consumer.next();
    expect(await first!.ackAck()).toBe(true);
    const before = await bus.jsm.streams.info(streams.events);

    await ensureTopology(bus, { ackWaitMs: 2_000 });
    await ensureTopology(bus, { ackWaitMs: 2_000 });

    const after = await bus.jsm.streams.info(streams.events);
    expect(after.config.subjects).toEqual(before.config.subjects);
    expect(after.config.duplicate_window).toBe(before.config.duplicate_window);
    expect(after.state.messages).toBe(2);
    // A consumer re-created from scratch would owe both messages again.
    expect(await consumerBacklog(bus, streams.events, consumers.eventResolver)).toBe(1);
    const names: string[] = [];
    for await (const s of bus.jsm.streams.list())
      if (s.config.name.startsWith(`${bus.topology.namespace.toUpperCase()}_`)) names.push(s.config.name);
    expect(names.sort()).toEqual(Object.values(streams).sort());
  });

  it("sends a stream no update when it holds the settings declared, and one when a setting changed", async () => {
    const bus = await testBus();
    cleanups.push(() => bus.dispose());
    const { streams } = bus.topology;
    // Some servers rewrite a stream's creation time on any update, and that time tells the ledger a stream made anew.
    const updated: string[] = [];
    const subs = Object.values(streams).map((name) =>
      bus.nc.subscribe(`$JS.API.STREAM.UPDATE.${name}`, {
        callback: (_e, m) => {
          updated.push(m.subject);
        },
      }),
    );
    cleanups.push(async () => {
      for (const sub of subs) sub.unsubscribe();
    });
    await bus.nc.flush();
    const before = await bus.jsm.streams.info(streams.transactions);

    await ensureTopology(bus, { ackWaitMs: 2_000 });
    await bus.nc.flush();
    expect(updated).toEqual([]);
    expect((await bus.jsm.streams.info(streams.transactions)).created).toBe(before.created);

    await ensureTopology(bus, { ackWaitMs: 2_000, duplicateWindowMs: 10 * 60_000 });
    await bus.nc.flush();
    expect(updated.sort()).toEqual(
      Object.values(streams)
        .map((name) => `$JS.API.STREAM.UPDATE.${name}`)
        .sort(),
    );
    expect((await bus.jsm.streams.info(streams.transactions)).config.duplicate_window).toBe(10 * 60_000 * 1_000_000);
  });

  it("leaves dead-lettering to the consumers: unlimited deliveries, also for consumers declared by an older release", async () => {
    const bus = await testBus();
    cleanups.push(() => bus.dispose());
    const { streams, consumers } = bus.topology;
    const maxDeliver = async (stream: string, durable: string) =>
      (await bus.jsm.consumers.info(stream, durable)).config.max_deliver;
    expect(await maxDeliver(streams.events, consumers.eventResolver)).toBe(-1);
    // What earlier releases declared: JetStream itself stopped delivering after 8 attempts.
    for (const [stream, durable] of [
      [streams.events, consumers.eventResolver],
      [streams.domain, consumers.analyticsWriter],
    ] as const) {
      await bus.jsm.consumers.update(stream, durable, { max_deliver: 8 });
      expect(await maxDeliver(stream, durable)).toBe(8);
    }
    await ensureTopology(bus);
    expect(await maxDeliver(streams.events, consumers.eventResolver)).toBe(-1);
    expect(await maxDeliver(streams.domain, consumers.analyticsWriter)).toBe(-1);
  });

  it("lets several processes declare the same topology at once", async () => {
    const namespace = uniqueNamespace();
    const buses = await Promise.all([1, 2].map(() => connectBus({ url: testNatsUrl(), namespace })));
    cleanups.push(async () => {
      await deleteStreams(buses[0]!);
      for (const b of buses) await b.close();
    });
    await Promise.all(buses.map((b) => ensureTopology(b)));
    const { streams, consumers } = buses[0]!.topology;
    const info = await buses[0]!.jsm.consumers.info(streams.events, consumers.eventResolver);
    expect(info.config.durable_name).toBe(consumers.eventResolver);
  });

  it("gives campaign and message events only to the consumers that read them, also on a stream declared before", async () => {
    const bus = await testBus();
    cleanups.push(() => bus.dispose());
    const { streams, consumers, subjects } = bus.topology;
    // What earlier releases declared: the domain stream on the domain subjects alone, every consumer unfiltered.
    await bus.jsm.streams.update(streams.domain, { subjects: [subjects.allDomain] });
    for (const durable of [consumers.loyaltyEventsWriter, consumers.profileWriter, consumers.customerSnapshotWriter])
      await bus.jsm.consumers.delete(streams.domain, durable);
    for (const durable of [consumers.loyaltyEventsWriter, consumers.profileWriter, consumers.customerSnapshotWriter])
      await bus.jsm.consumers.add(streams.domain, { durable_name: durable, ack_policy: AckPolicy.Explicit });
    await ensureTopology(bus);

    await publishJson(bus.js, subjects.domain("t1", "points.earned"), { n: 1 }, "e1");
    await publishJson(bus.js, subjects.domain("t1", "campaign.enrolled"), { n: 2 }, "e2");
    await publishJson(bus.js, subjects.domain("t1", "message.sent"), { n: 3 }, "e3");
    expect((await bus.jsm.streams.info(streams.domain)).state.messages).toBe(3);
    const backlog = (durable: string) => consumerBacklog(bus, streams.domain, durable);
    for (const durable of [consumers.analyticsWriter, consumers.webhookFanout, consumers.campaignTriggers])
      expect(await backlog(durable), durable).toBe(3);
    for (const durable of [consumers.loyaltyEventsWriter, consumers.profileWriter, consumers.customerSnapshotWriter])
      expect(await backlog(durable), durable).toBe(1);
  });

  it("stores a message once when it is published twice with the same id", async () => {
    const bus = await testBus();
    cleanups.push(() => bus.dispose());
    const subject = bus.topology.subjects.transaction("t1", "l1", 3);
    const first = await publishJson(bus.js, subject, { n: 1 }, "kiosk-7:POS1-42");
    const again = await publishJson(bus.js, subject, { n: 1 }, "kiosk-7:POS1-42");
    const other = await publishJson(bus.js, subject, { n: 2 }, "kiosk-7:POS1-43");

    expect(first.duplicate).toBe(false);
    expect(again).toEqual({ seq: first.seq, duplicate: true });
    expect(other.duplicate).toBe(false);
    expect((await storedMessages(bus, bus.topology.streams.transactions)).map((m) => m.json())).toEqual([
      { n: 1 },
      { n: 2 },
    ]);
  });
});
