import { type Db, withTransaction } from "@regulars/db";
import { silentLogger } from "@regulars/logger";
import { queueCampaignMessage } from "@regulars/messages-store";
import { developmentProvider, memorySink, smtpProvider } from "@regulars/messaging-providers";
import { testDb, testTenant } from "@regulars/testing";
import { SMTPServer } from "smtp-server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createMessageSender } from "../src/messages/message-sender.ts";
import { messageCampaign, messageCustomer, messageTemplate, stepKeyOf } from "./message-fixtures.ts";

// A broadcast larger than the SMTP pool: more e-mails due at once than the pool has connections, against a real
// local SMTP server that takes a while over each. The clock is injected, a year ahead of the real one (other test
// files' senders run on this database by the real clock).

let db: Db;
let tenantId: string;
const ahead = Date.now() + 365 * 86_400_000;
const received: string[] = [];
const smtp = new SMTPServer({
  disabledCommands: ["STARTTLS", "AUTH"],
  logger: false,
  onData(stream, session, callback) {
    stream.resume();
    stream.on("end", () =>
      setTimeout(() => {
        received.push(...session.envelope.rcptTo.map((r) => r.address));
        callback(null);
      }, 200),
    );
  },
});
let smtpPort = 0;

beforeAll(async () => {
  db = testDb();
  tenantId = (await testTenant(db, "Pool Grill")).tenantId;
  await new Promise<void>((resolve) => smtp.listen(0, "127.0.0.1", resolve));
  smtpPort = (smtp.server.address() as { port: number }).port;
});
afterAll(async () => {
  await new Promise<void>((resolve) => smtp.close(() => resolve()));
  await db?.$disconnect();
});

describe("message sender with a pooled SMTP provider", () => {
  it("sends each e-mail once when more are due than the pool has connections, counting no attempt for the wait", async () => {
    const campaignId = await messageCampaign(db, tenantId);
    const templateId = await messageTemplate(db, tenantId, {
      channel: "email",
      language: "en",
      subject: "Fries on us",
      body: "<p>Fries on us</p>",
    });
    const addresses = Array.from({ length: 30 }, (_, i) => `pool-${i}@example.com`);
    const ids: string[] = [];
    for (const email of addresses) {
      const customerId = await messageCustomer(db, tenantId, { email, at: new Date() });
      const queued = await withTransaction(db, (tx) =>
        queueCampaignMessage(tx, {
          tenantId,
          customerId,
          campaignId,
          stepKey: stepKeyOf(),
          templateId,
          channel: "email",
          sendAt: new Date(ahead),
        }),
      );
      if (!queued.messageId) throw new Error(`not queued: ${JSON.stringify(queued)}`);
      ids.push(queued.messageId);
    }
    // Three connections at 200 ms a message carry at most ~22 of the 30 in the first pass's 1.5 s.
    const email = smtpProvider({ kind: "smtp", host: "127.0.0.1", port: smtpPort, from: "Grill <hi@grill.example>" });
    const unused = developmentProvider({ sink: memorySink() });
    let now = new Date(ahead);
    const sender = createMessageSender({
      db,
      log: silentLogger,
      providers: { email, sms: unused, push: unused },
      sendTimeoutMs: 1_500,
      tenantIds: [tenantId],
      clock: () => now,
      random: () => 0.5,
      // One attempt each: a message withdrawn while it waited for a connection made none, so it must not fail.
      retryPolicy: { maxAttempts: 1, initialDelayMs: 1_000, multiplier: 1, maxDelayMs: 1_000, jitter: 0 },
    });
    const queuedLeft = () => db.message.count({ where: { id: { in: ids }, status: "queued" } });

    expect(await sender.sendDue()).toBe(30);
    expect(await queuedLeft()).toBeGreaterThan(0);
    const waiting = await db.message.findMany({
      where: { id: { in: ids }, status: "queued" },
      select: { attempts: true },
    });
    expect(waiting.every((m) => m.attempts === 0)).toBe(true);
    // The retries, each pass an hour later (past any backoff), until none is left.
    for (let pass = 1; pass <= 10 && (await queuedLeft()) > 0; pass++) {
      now = new Date(ahead + pass * 3_600_000);
      await sender.sendDue();
    }
    await sender.stop();
    email.close?.();

    expect(await db.message.count({ where: { id: { in: ids }, status: "sent" } })).toBe(30);
    // The pool serves its queue in order: once the last retry is answered, anything queued before it was delivered.
    const times = new Map<string, number>();
    for (const to of received) times.set(to, (times.get(to) ?? 0) + 1);
    expect(Object.fromEntries(times)).toEqual(Object.fromEntries(addresses.map((a) => [a, 1])));
  }, 60_000);
});
