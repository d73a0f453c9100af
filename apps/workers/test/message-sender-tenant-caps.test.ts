import { type Db, withTransaction } from "@regulars/db";
import { newId } from "@regulars/ids";
import { silentLogger } from "@regulars/logger";
import { queueCampaignMessage, queueTransactionalSms } from "@regulars/messages-store";
import { developmentProvider, memorySink } from "@regulars/messaging-providers";
import { setTenantFrequencyCaps, tenantFrequencyCaps } from "@regulars/tenancy";
import { testDb, testTenant } from "@regulars/testing";
import { afterAll, beforeAll, expect, it } from "vitest";
import { createMessageSender } from "../src/messages/message-sender.ts";
import { TenantCapsCache } from "../src/tenant-caps-cache.ts";
import { messageCampaign, messageCustomer, messageTemplate, stepKeyOf } from "./message-fixtures.ts";

// The tenant's own cap ("one marketing message per customer a week, across campaigns") is checked again at send:
// a campaign's message to a customer another campaign already wrote to this week is cancelled as `capped`, the same
// campaign's message to a customer nobody wrote to goes, and a one-time code (transactional) is not capped. Neither
// campaign has a cap of its own. The clock is injected, a year ahead of the real one (other test files' senders run
// on this database by the real clock); the provider is the development one; the caps are read from Postgres through
// the process's cache, as the workers wire it.

const DAY = 86_400_000;
const ahead = new Date(Date.now() + 365 * DAY);

let db: Db;
beforeAll(() => {
  db = testDb();
});
afterAll(async () => {
  await db?.$disconnect();
});

async function campaignSms(tenantId: string, customerId: string, campaignId: string, templateId: string) {
  const queued = await withTransaction(db, (tx) =>
    queueCampaignMessage(tx, {
      tenantId,
      customerId,
      campaignId,
      stepKey: stepKeyOf(),
      templateId,
      channel: "sms",
      sendAt: ahead,
    }),
  );
  if (!queued.messageId) throw new Error(`not queued: ${JSON.stringify(queued)}`);
  return queued.messageId;
}

it("cancels a campaign's message the tenant's cap holds back at send, sends the rest and the one-time code", async () => {
  const { tenantId } = await testTenant(db, "Sender Tenant Cap Grill");
  await setTenantFrequencyCaps(db, tenantId, [{ max: 1, windowHours: 7 * 24 }], "test");
  const written = await messageCustomer(db, tenantId, { phone: "+48600400001", at: new Date() });
  const fresh = await messageCustomer(db, tenantId, { phone: "+48600400002", at: new Date() });
  // Another campaign's SMS reached `written` two days before the send.
  const sentAt = new Date(ahead.getTime() - 2 * DAY);
  await db.message.create({
    data: {
      id: newId("message"),
      tenantId,
      customerId: written,
      campaignId: await messageCampaign(db, tenantId),
      channel: "sms",
      language: "en",
      toAddress: "+48600400001",
      content: {},
      sendAt: sentAt,
      nextAttemptAt: sentAt,
      sentAt,
      status: "sent",
    },
  });
  const campaignId = await messageCampaign(db, tenantId);
  const templateId = await messageTemplate(db, tenantId, { channel: "sms", language: "en", body: "Fries on us" });
  const capped = await campaignSms(tenantId, written, campaignId, templateId);
  const goes = await campaignSms(tenantId, fresh, campaignId, templateId);
  const { messageId: code } = await withTransaction(db, (tx) =>
    queueTransactionalSms(tx, {
      tenantId,
      customerId: written,
      to: "+48600400001",
      body: "123456 is your code",
      key: `tenant-cap-code:${stepKeyOf()}`,
      at: ahead,
      expiresAt: new Date(ahead.getTime() + 300_000),
    }),
  );

  const sink = memorySink();
  const provider = developmentProvider({ sink, clock: () => ahead });
  const sender = createMessageSender({
    db,
    log: silentLogger,
    providers: { email: provider, sms: provider, push: provider },
    tenantCaps: new TenantCapsCache((id) => tenantFrequencyCaps(db, id)).read,
    tenantIds: [tenantId],
    clock: () => ahead,
    random: () => 0.5,
  });
  expect(await sender.sendDue()).toBe(3);

  expect(sink.messages.map((m) => m.message.id).sort()).toEqual([code, goes].sort());
  const rows = await db.message.findMany({ where: { id: { in: [capped, goes, code] } } });
  const byId = new Map(rows.map((r) => [r.id, [r.status, r.failureCode]]));
  expect(byId.get(capped)).toEqual(["cancelled", "capped"]);
  expect(byId.get(goes)).toEqual(["sent", null]);
  expect(byId.get(code)).toEqual(["sent", null]);
});
