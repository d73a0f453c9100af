import { runDueBroadcasts } from "@regulars/campaigns-store";
import { createCampaign as createCouponCampaign } from "@regulars/checkout-store";
import { CampaignDefinition } from "@regulars/contracts";
import type { Db } from "@regulars/db";
import { newId } from "@regulars/ids";
import { silentLogger } from "@regulars/logger";
import { testDb, testTenant } from "@regulars/testing";
import { afterAll, beforeAll, expect, it } from "vitest";
import { createStepExecutor } from "../src/campaigns/step-executor.ts";
import { campaignMessagesQueue } from "../src/messages/campaign-queue.ts";
import { broadcastCampaign, messageCustomer, messageTemplate } from "./message-fixtures.ts";

// A broadcast's message steps go many to a transaction (`runMessageSteps` over `queueCampaignMessages`): each
// message has the customer's own variables and the coupon the step before issued, a customer who lost their
// address meanwhile is skipped, and two executors at once still queue each message once. The per-step queue is
// made to fail here, so only the batch path can pass.

let db: Db;
beforeAll(() => {
  db = testDb();
});
afterAll(async () => {
  await db?.$disconnect();
});

// A year ahead: the test's steps and messages are due then only, out of the way of senders of other test files.
const now = new Date(Date.now() + 365 * 86_400_000);

it("queues a broadcast's messages in batches, each once, with the customer's variables and coupon", async () => {
  const { tenantId } = await testTenant(db, "Batch Grill");
  const fries = await createCouponCampaign(
    db,
    tenantId,
    {
      name: "Discounted fries",
      benefit: { kind: "percent_off", percent: 50, match: { skus: ["FRIES"] } },
      codes: { kind: "generic", code: `FRIES${Date.now().toString(36).toUpperCase()}` },
    },
    "key_test_admin",
  );
  const templateId = await messageTemplate(db, tenantId, {
    channel: "email",
    language: "en",
    subject: "Fries for you, {{ customer.first_name }}",
    format: "text",
    body: "Code {{ coupon.code }}; you have {{ points.balance }} points.",
  });
  const customers: string[] = [];
  for (let i = 0; i < 7; i++)
    customers.push(await messageCustomer(db, tenantId, { email: `batch${i}@example.com`, at: new Date() }));
  const segmentId = newId("segment");
  await db.segment.create({
    data: { id: segmentId, tenantId, name: "batch", kind: "sql", rawSql: "SELECT 1", createdBy: "test" },
  });
  await db.segmentMember.createMany({
    data: customers.map((customerId) => ({ segmentId, customerId, tenantId, enteredAt: new Date() })),
  });
  const definition = CampaignDefinition.parse({
    name: "Batch broadcast",
    status: "active",
    audience: { kind: "segment", segmentId },
    trigger: { type: "broadcast", schedule: { repeat: "once", at: new Date(now.getTime() - 60_000).toISOString() } },
    actions: [
      { type: "issue_coupon", couponCampaignId: fries.id },
      { type: "send_message", channel: "email", templateId },
    ],
  });
  const campaignId = await broadcastCampaign(db, tenantId, definition, new Date(now.getTime() - 60_000));

  await runDueBroadcasts({ db, tenantId, zone: "Europe/Warsaw", now });
  expect(await db.campaignStep.count({ where: { campaignId, status: "pending" } })).toBe(14);
  // Planned while reachable; the address is gone by the time the message is queued.
  await db.customer.update({ where: { id: customers[0]! }, data: { email: null } });

  const executor = () =>
    createStepExecutor({
      db,
      log: silentLogger,
      publish: async () => {},
      now: () => now,
      tenantIds: [tenantId],
      batch: 3,
      programmes: { inForce: async () => null } as never,
      queueMessage: async () => {
        throw new Error("a message step went through the one-by-one path");
      },
      queueMessages: campaignMessagesQueue(db, null),
    });
  await Promise.all([executor().runDue(), executor().runDue()]);

  const steps = await db.campaignStep.findMany({ where: { campaignId }, orderBy: [{ stepIndex: "asc" }] });
  expect(steps.filter((s) => s.stepIndex === 0).map((s) => s.status)).toEqual(Array(7).fill("done"));
  const messageSteps = steps.filter((s) => s.stepIndex === 1);
  expect(messageSteps.filter((s) => s.status === "done")).toHaveLength(6);
  expect(messageSteps.filter((s) => s.status === "skipped").map((s) => [s.customerId, s.reason])).toEqual([
    [customers[0], "no_address"],
  ]);

  const messages = await db.message.findMany({ where: { campaignId } });
  expect(messages).toHaveLength(6);
  expect(new Set(messages.map((m) => m.stepKey)).size).toBe(6);
  for (const m of messages) {
    const step = messageSteps.find((s) => s.key === m.stepKey)!;
    expect(step.result).toEqual({ messageId: m.id });
    const content = m.content as { subject: string; text: string };
    expect(content.subject).toBe("Fries for you, Ada");
    expect(content.text).toBe(
      `Code ${fries.config.codes.kind === "generic" ? fries.config.codes.code : ""}; you have 0 points.`,
    );
    expect(m.toAddress).toMatch(/^batch[1-6]@example\.com$/);
    expect(m.sendAt.getTime()).toBeLessThanOrEqual(now.getTime());
  }

  // Run again: nothing is due, nothing new is queued.
  expect((await executor().runDue()).done).toBe(0);
  expect(await db.message.count({ where: { campaignId } })).toBe(6);
});
