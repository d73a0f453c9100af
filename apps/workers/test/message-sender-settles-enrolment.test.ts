import { setConsents } from "@regulars/customers-store";
import { type Db, withTransaction } from "@regulars/db";
import { newId } from "@regulars/ids";
import type { OutboxItem } from "@regulars/ledger-store";
import { silentLogger } from "@regulars/logger";
import { queueCampaignMessage } from "@regulars/messages-store";
import { developmentProvider, memorySink } from "@regulars/messaging-providers";
import { testDb, testTenant } from "@regulars/testing";
import { afterAll, beforeAll, expect, it } from "vitest";
import { createMessageSender } from "../src/messages/message-sender.ts";
import { messageCampaign, messageCustomer, messageTemplate, stepKeyOf } from "./message-fixtures.ts";

// The sender cancels a campaign's message whose consent was withdrawn after it was queued. When that was all the
// enrolment had left to run, the enrolment ends `skipped` at once, announced again as such (results stop counting the
// customer reached), rather than at the customer's next planning. The clock is injected, a year ahead of the real one
// (other test files' senders run on this database by the real clock).

const DAY = 86_400_000;
const ahead = new Date(Date.now() + 365 * DAY);

let db: Db;
beforeAll(() => {
  db = testDb();
});
afterAll(async () => {
  await db?.$disconnect();
});

/** An enrolment as planning leaves it: its first step an SMS queued and done, and `pendingAfter` steps still to run. */
async function enrolment(tenantId: string, customerId: string, campaignId: string, templateId: string, later: number) {
  const id = newId("event");
  await db.campaignEnrolment.create({
    data: { id, tenantId, campaignId, version: 1, customerId, occurrence: id, occurredAt: ahead, outcome: "entered" },
  });
  const steps = Array.from({ length: 1 + later }, (_, i) => ({ key: stepKeyOf(), index: i }));
  for (const { key, index } of steps)
    await db.campaignStep.create({
      data: {
        key,
        tenantId,
        campaignId,
        enrolmentId: id,
        customerId,
        stepIndex: index,
        action: { type: "send_message", channel: "sms", templateId },
        runAt: new Date(ahead.getTime() + index * DAY),
        status: index ? "pending" : "done",
      },
    });
  const queued = await withTransaction(db, (tx) =>
    queueCampaignMessage(tx, {
      tenantId,
      customerId,
      campaignId,
      stepKey: steps[0]!.key,
      templateId,
      channel: "sms",
      sendAt: ahead,
    }),
  );
  if (!queued.messageId) throw new Error(`not queued: ${JSON.stringify(queued)}`);
  return id;
}

it("settles skipped the enrolment whose last step to run the sender cancelled, and announces it", async () => {
  const { tenantId } = await testTenant(db, "Sender Settles Grill");
  const customerId = await messageCustomer(db, tenantId, { phone: "+48600500001", at: new Date() });
  const campaignId = await messageCampaign(db, tenantId);
  const templateId = await messageTemplate(db, tenantId, { channel: "sms", language: "en", body: "Fries on us" });
  const onlyStep = await enrolment(tenantId, customerId, campaignId, templateId, 0);
  const moreToCome = await enrolment(tenantId, customerId, campaignId, templateId, 1);
  await setConsents(
    db,
    tenantId,
    customerId,
    { consents: [{ channel: "sms", purpose: "marketing", granted: false }] },
    { actor: "key_app", source: "app:settings", now: new Date() },
  );

  const published: OutboxItem[] = [];
  const sink = memorySink();
  const sender = createMessageSender({
    db,
    log: silentLogger,
    providers: {
      email: developmentProvider({ sink }),
      sms: developmentProvider({ sink }),
      push: developmentProvider({ sink }),
    },
    tenantIds: [tenantId],
    clock: () => ahead,
    publish: async (items) => {
      published.push(...items);
    },
  });
  expect(await sender.sendDue()).toBe(2);
  expect(await db.message.count({ where: { tenantId, status: "cancelled", failureCode: "no_consent" } })).toBe(2);

  const outcomes = await db.campaignEnrolment.findMany({
    where: { campaignId },
    select: { id: true, outcome: true, reason: true },
  });
  expect(Object.fromEntries(outcomes.map((e) => [e.id, [e.outcome, e.reason]]))).toEqual({
    [onlyStep]: ["skipped", "no_consent"],
    // Its second message may yet reach the customer.
    [moreToCome]: ["entered", null],
  });
  const announced = await db.outboxEvent.findMany({ where: { tenantId, type: "campaign.enrolled" } });
  const correction = {
    type: "campaign.enrolled",
    id: `campaign-enrolled:${onlyStep}:skipped`,
    tenantId,
    customerId,
    occurredAt: ahead.toISOString(),
    campaignId,
    version: 1,
    enrolmentId: onlyStep,
    occurrence: onlyStep,
    outcome: "skipped",
  };
  expect(announced.map((e) => e.payload)).toEqual([correction]);
  expect(published.filter((e) => e.type === "campaign.enrolled").map((e) => e.payload)).toEqual([correction]);
});
