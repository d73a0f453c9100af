import { nextLocalTime } from "@regulars/campaigns";
import { type Db, type DbTx, withTransaction } from "@regulars/db";
import { silentLogger } from "@regulars/logger";
import { queueCampaignMessage, queueTransactionalSms } from "@regulars/messages-store";
import { developmentProvider, memorySink } from "@regulars/messaging-providers";
import { testDb, testTenant } from "@regulars/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createMessageSender } from "../src/messages/message-sender.ts";
import { messageCampaign, messageCustomer, messageTemplate, stepKeyOf } from "./message-fixtures.ts";

// The message sender with messages that go out later than planned: a campaign paused and resumed in the evening,
// and a claim whose other results could not be recorded. The clock is injected, a year ahead of the real one (other
// test files' senders run on this database by the real clock); the provider is the development one.

let db: Db;
let tenantId: string;
const zone = "Europe/Warsaw";
const ahead = Date.now() + 365 * 86_400_000;

beforeAll(async () => {
  db = testDb();
  tenantId = (await testTenant(db, "Late Grill", zone)).tenantId;
});
afterAll(async () => {
  await db?.$disconnect();
});

async function queuedSms(customerId: string, campaignId: string, sendAt: Date): Promise<string> {
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

function senderAt(clock: () => Date, dbToUse: Db = db) {
  const sink = memorySink();
  const provider = developmentProvider({ sink, clock });
  const sender = createMessageSender({
    db: dbToUse,
    log: silentLogger,
    providers: { email: provider, sms: provider, push: provider },
    tenantIds: [tenantId],
    clock,
    random: () => 0.5,
  });
  return { sender, sent: (id: string) => sink.messages.filter((m) => m.message.id === id) };
}

/**
 * The database, except that the first statement containing `fragment` written through it in a transaction fails (as
 * a connection dropped mid-write would fail it). Everything else goes through untouched.
 */
function failingFirst(real: Db, fragment: string): Db {
  let failed = false;
  const passThrough = <T extends object>(target: T, key: string | symbol) => {
    const value = Reflect.get(target, key, target);
    return typeof value === "function" ? value.bind(target) : value;
  };
  const failingTx = (tx: DbTx) =>
    new Proxy(tx, {
      get(target, key) {
        if (key !== "$executeRaw" && key !== "$queryRaw") return passThrough(target, key);
        const run = passThrough(target, key) as (sql: TemplateStringsArray, ...values: unknown[]) => Promise<unknown>;
        return (sql: TemplateStringsArray, ...values: unknown[]) => {
          if (failed || !sql.join("?").includes(fragment)) return run(sql, ...values);
          failed = true;
          return Promise.reject(new Error("Connection terminated unexpectedly"));
        };
      },
    });
  return new Proxy(real, {
    get(target, key) {
      if (key !== "$transaction") return passThrough(target, key);
      return (fn: (tx: DbTx) => Promise<unknown>, opts?: object) =>
        target.$transaction((tx) => fn(failingTx(tx)), opts);
    },
  });
}

describe("a campaign's message sent late", () => {
  it("waits for the end of the campaign's quiet hours; a one-time code does not", async () => {
    // Sent as soon as triggered, planned at 20:30, with quiet hours 21:00-08:00; the campaign was paused at 20:25
    // and resumed at 23:00. (A local-time message resumed late waits for its next local time instead.)
    const planned = nextLocalTime(ahead, 20 * 60 + 30, zone);
    const resumed = new Date(nextLocalTime(planned.getTime(), 23 * 60, zone).getTime() + 60_000);
    const morning = nextLocalTime(resumed.getTime(), 8 * 60, zone);
    const quietHours = { start: "21:00", end: "08:00" };
    const campaignId = await messageCampaign(db, tenantId, [], {
      timing: { at: "immediately" },
      zone: "tenant",
      quietHours,
    });
    const customerId = await messageCustomer(db, tenantId, { phone: "+48600300001", at: new Date() });
    const id = await queuedSms(customerId, campaignId, planned);
    const { messageId: code } = await withTransaction(db, (tx) =>
      queueTransactionalSms(tx, {
        tenantId,
        customerId,
        to: "+48600300001",
        body: "123456 is your code",
        key: `late-code:${stepKeyOf()}`,
        at: resumed,
        expiresAt: new Date(resumed.getTime() + 300_000),
      }),
    );

    let now = resumed;
    const { sender, sent } = senderAt(() => now);
    expect(await sender.sendDue()).toBe(2);
    expect(sent(code)).toHaveLength(1);
    expect(sent(id)).toEqual([]);
    expect(await db.message.findUniqueOrThrow({ where: { id } })).toMatchObject({
      status: "queued",
      attempts: 0,
      nextAttemptAt: morning,
    });

    for (const t of [resumed.getTime() + 3_600_000, morning.getTime() - 60_000]) {
      now = new Date(t);
      await sender.sendDue();
      expect(sent(id)).toEqual([]);
    }
    now = morning;
    expect(await sender.sendDue()).toBe(1);
    expect(sent(id).map((m) => m.recordedAt)).toEqual([morning]);
    expect((await db.message.findUniqueOrThrow({ where: { id } })).status).toBe("sent");
  });
});

describe("a claim whose other result cannot be recorded", () => {
  it("records the sends the provider took, so none is sent again once the lease ends", async () => {
    const campaignId = await messageCampaign(db, tenantId);
    const start = new Date(ahead + 86_400_000);
    const willing = await messageCustomer(db, tenantId, { phone: "+48600300002", at: new Date() });
    const unwilling = await messageCustomer(db, tenantId, { phone: "+48600300003", consents: [], at: new Date() });
    const sendable = await queuedSms(willing, campaignId, start);
    const refused = await queuedSms(unwilling, campaignId, start);

    let now = start;
    const { sender, sent } = senderAt(() => now, failingFirst(db, "status = 'cancelled'"));
    expect(await sender.sendDue()).toBe(2);
    now = new Date(start.getTime() + 3_600_000); // long past any lease
    await sender.sendDue();

    expect(sent(sendable)).toHaveLength(1);
    expect(sent(refused)).toEqual([]);
    expect(await db.message.findUniqueOrThrow({ where: { id: sendable } })).toMatchObject({
      status: "sent",
      attempts: 1,
    });
    // Its cancellation failed the first time; the lease gave it back, and the second look recorded it.
    expect(await db.message.findUniqueOrThrow({ where: { id: refused } })).toMatchObject({
      status: "cancelled",
      failureCode: "no_consent",
    });
  });

  it("tries again to record what the provider took, so a failed write does not send it twice", async () => {
    const campaignId = await messageCampaign(db, tenantId);
    const start = new Date(ahead + 2 * 86_400_000);
    const customer = await messageCustomer(db, tenantId, { phone: "+48600300004", at: new Date() });
    const message = await queuedSms(customer, campaignId, start);

    let now = start;
    const { sender, sent } = senderAt(() => now, failingFirst(db, "provider_message_id = s.provider_message_id"));
    expect(await sender.sendDue()).toBe(1);
    now = new Date(start.getTime() + 3_600_000); // long past any lease
    await sender.sendDue();

    expect(sent(message)).toHaveLength(1);
    expect(await db.message.findUniqueOrThrow({ where: { id: message } })).toMatchObject({
      status: "sent",
      attempts: 1,
    });
  });
});
