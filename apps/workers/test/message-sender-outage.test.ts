import { createDb, type Db, withTransaction } from "@regulars/db";
import { createLogger, silentLogger } from "@regulars/logger";
import { queueCampaignMessage } from "@regulars/messages-store";
import type { MessageProvider } from "@regulars/messaging";
import { developmentProvider, memorySink } from "@regulars/messaging-providers";
import { startTcpProxy, type TcpProxy, testDatabaseUrl, testDb, testTenant } from "@regulars/testing";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createMessageSender } from "../src/messages/message-sender.ts";
import { messageCampaign, messageCustomer, messageTemplate, stepKeyOf } from "./message-fixtures.ts";

// The message sender with Postgres going away right after a provider took a message: the sender reaches Postgres
// through a TCP proxy that refuses connections and resets the open ones, as an outage or a failover does. The clock
// is injected, a year ahead of the real one (other test files' senders run on this database by the real clock).

let db: Db;
let proxy: TcpProxy;
let senderDb: Db;
let tenantId: string;
const ahead = Date.now() + 365 * 86_400_000;
const leaseMs = 2 * 30_000 + 90_000; // the default send timeout (twice: the wait for a connection, the send) and the recording

beforeAll(async () => {
  db = testDb();
  tenantId = (await testTenant(db, "Outage Grill")).tenantId;
  const target = new URL(testDatabaseUrl());
  proxy = await startTcpProxy({ host: target.hostname, port: Number(target.port || 5432) });
  senderDb = createDb({ url: proxy.url(testDatabaseUrl()), poolSize: 2 });
});
afterEach(async () => {
  await proxy.restore();
});
afterAll(async () => {
  await senderDb?.$disconnect();
  await db?.$disconnect();
  await proxy?.close();
});

async function queuedSms(phone: string, sendAt: Date): Promise<string> {
  const campaignId = await messageCampaign(db, tenantId);
  const customerId = await messageCustomer(db, tenantId, { phone, at: new Date() });
  const templateId = await messageTemplate(db, tenantId, { channel: "sms", language: "en", body: "Fries on us" });
  const queued = await withTransaction(db, (tx) =>
    queueCampaignMessage(tx, {
      tenantId,
      customerId,
      campaignId,
      stepKey: stepKeyOf(),
      templateId,
      channel: "sms",
      sendAt,
    }),
  );
  if (!queued.messageId) throw new Error(`not queued: ${JSON.stringify(queued)}`);
  return queued.messageId;
}

/** The development provider, which runs `afterTaking` once it has taken its first message. */
function providerThen(clock: () => Date, afterTaking: () => Promise<void>) {
  const sink = memorySink();
  const inner = developmentProvider({ sink, clock });
  let first = true;
  const provider: MessageProvider = {
    name: inner.name,
    channels: inner.channels,
    async send(message) {
      const result = await inner.send(message);
      if (first) {
        first = false;
        await afterTaking();
      }
      return result;
    },
  };
  return { provider, sent: (id: string) => sink.messages.filter((m) => m.message.id === id) };
}

function logLines() {
  const lines: { level: number; msg: string; messageIds?: string[]; stopping?: boolean }[] = [];
  const log = createLogger({
    level: "warn",
    destination: { write: (line: string) => void lines.push(JSON.parse(line)) },
  });
  return { log, errors: () => lines.filter((l) => l.level >= 50) };
}

describe("message sender while Postgres is down after the provider took a message", () => {
  it("keeps recording the send through a 6 s outage, so it is not sent again once the lease ends", async () => {
    const start = new Date(ahead);
    const id = await queuedSms("+48600399101", start);
    const began = Date.now();
    let jump = 0;
    const clock = () => new Date(start.getTime() + (Date.now() - began) + jump);
    let back: Promise<void> = Promise.resolve();
    const { provider, sent } = providerThen(clock, async () => {
      await proxy.refuse();
      back = new Promise((resolve) => setTimeout(() => void proxy.restore().then(resolve), 6_000));
    });
    const sender = createMessageSender({
      db: senderDb,
      log: silentLogger,
      providers: { email: provider, sms: provider, push: provider },
      tenantIds: [tenantId],
      clock,
      random: () => 0.5,
    });

    expect(await sender.sendDue()).toBe(1);
    const firstPassMs = Date.now() - began;
    await back;
    jump = 3 * leaseMs; // long past the claim's lease
    await sender.sendDue();
    await sender.stop();

    expect(sent(id)).toHaveLength(1);
    expect(await db.message.findUniqueOrThrow({ where: { id } })).toMatchObject({ status: "sent", attempts: 1 });
    expect(firstPassMs).toBeGreaterThanOrEqual(6_000); // it did wait out the outage
  }, 30_000);

  it("gives up once the lease is about to end, and says so as an error", async () => {
    // Later than the next test's message: this one stays queued, and the next test's sender must not take it.
    const start = new Date(ahead + 2 * 86_400_000);
    const id = await queuedSms("+48600399102", start);
    let now = start;
    const { provider, sent } = providerThen(
      () => now,
      async () => {
        await proxy.refuse();
        now = new Date(start.getTime() + leaseMs - 5_000); // the send took most of the lease
      },
    );
    const { log, errors } = logLines();
    const sender = createMessageSender({
      db: senderDb,
      log,
      providers: { email: provider, sms: provider, push: provider },
      tenantIds: [tenantId],
      clock: () => now,
      random: () => 0.5,
    });

    expect(await sender.sendDue()).toBe(1);
    expect(sent(id)).toHaveLength(1);
    expect(errors()).toEqual([expect.objectContaining({ messageIds: [id], stopping: false })]);
    expect(await db.message.findUniqueOrThrow({ where: { id } })).toMatchObject({ status: "queued", attempts: 0 });
    await sender.stop();
  });

  it("stops trying when the sender stops, rather than holding the shutdown for the lease", async () => {
    const start = new Date(ahead + 86_400_000);
    const id = await queuedSms("+48600399103", start);
    let taken: () => void = () => {};
    const tookIt = new Promise<void>((resolve) => (taken = resolve));
    const { provider, sent } = providerThen(
      () => start,
      async () => {
        await proxy.refuse();
        taken();
      },
    );
    const { log, errors } = logLines();
    const sender = createMessageSender({
      db: senderDb,
      log,
      providers: { email: provider, sms: provider, push: provider },
      tenantIds: [tenantId],
      clock: () => start,
      random: () => 0.5,
    });

    const sending = sender.sendDue();
    await tookIt;
    await new Promise((r) => setTimeout(r, 1_000)); // a few attempts fail meanwhile
    const stopAt = Date.now();
    await sender.stop();
    await sending;
    expect(Date.now() - stopAt).toBeLessThan(2_000);
    expect(sent(id)).toHaveLength(1);
    expect(errors()).toEqual([expect.objectContaining({ messageIds: [id], stopping: true })]);
  });
});
