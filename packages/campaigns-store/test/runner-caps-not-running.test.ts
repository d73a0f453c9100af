import { type Db, withTransaction } from "@regulars/db";
import { newId } from "@regulars/ids";
import { describe, expect, it } from "vitest";
import { enrolFromEvent } from "../src/index.ts";
import {
  addCampaign,
  addCustomer,
  DAY,
  enrolmentsOf,
  event,
  later,
  recordingQueue,
  runnerDb,
  runnerTenant,
  setStatus,
  stepsOf,
} from "./runner-fixtures.ts";

// Planning counts against the caps only what will go out: a campaign that is not running sends nothing, so its
// pending steps and queued messages leave the slot to a running campaign (the send check's rule too).

const { db, cache } = runnerDb();
const limits = { perCustomer: { mode: "once" as const }, frequencyCaps: [{ max: 1, windowHours: 168 }] };
const now = new Date();

const registered = (tenantId: string, customerId: string, at: Date) =>
  event({
    id: newId("event"),
    tenantId,
    customerId,
    occurredAt: at.toISOString(),
    type: "customer.created",
    via: "app",
    fields: [],
  });

const profileCompleted = (tenantId: string, customerId: string, at: Date) =>
  event({
    id: newId("event"),
    tenantId,
    customerId,
    occurredAt: at.toISOString(),
    type: "event.recorded",
    eventId: newId("event"),
    eventType: "profile_completed",
    locationId: null,
    channel: "app",
    properties: {},
  });

async function messageCampaign(db: Db, tenantId: string, trigger = "profile_completed") {
  return addCampaign(
    db,
    tenantId,
    {
      audience: { kind: "none" },
      trigger: { type: trigger } as { type: "profile_completed" },
      limits,
      actions: [{ type: "send_message", channel: "email", templateId: "tpl" }],
    },
    { startedAt: later(now, -DAY) },
  );
}

describe("frequency caps at planning", () => {
  it.each(["archived", "paused"])("leave a %s campaign's pending message out", async (status) => {
    const { tenantId } = await runnerTenant(db);
    const customer = await addCustomer(db, tenantId, { consents: ["email"] }, now);
    const welcome = await addCampaign(
      db,
      tenantId,
      {
        audience: { kind: "none" },
        trigger: { type: "registered" },
        limits,
        actions: [{ type: "send_message", channel: "email", templateId: "tpl", wait: { unit: "days", amount: 2 } }],
      },
      { startedAt: later(now, -DAY) },
    );
    await enrolFromEvent(db, cache, registered(tenantId, customer, now), now);
    expect((await stepsOf(db, welcome)).map((s) => s.status)).toEqual(["pending"]);
    await setStatus(db, welcome, status);

    const profile = await messageCampaign(db, tenantId);
    const at = later(now, 60_000);
    await enrolFromEvent(db, cache, profileCompleted(tenantId, customer, at), at);
    expect((await stepsOf(db, profile)).map((s) => [s.status, s.reason])).toEqual([["pending", null]]);
  });

  it("leave an archived campaign's queued message out, and still count a running one's", async () => {
    const { tenantId } = await runnerTenant(db);
    const customer = await addCustomer(db, tenantId, { consents: ["email"] }, now);
    const queueFor = (customerId: string, campaignId: string) =>
      withTransaction(db, (tx) =>
        recordingQueue(tx, {
          tenantId,
          customerId,
          campaignId,
          stepKey: newId("event"),
          templateId: "tpl",
          channel: "email",
          sendAt: later(now, DAY),
        }),
      );
    const old = await messageCampaign(db, tenantId);
    await queueFor(customer, old);
    await setStatus(db, old, "archived");

    const profile = await messageCampaign(db, tenantId);
    await enrolFromEvent(db, cache, profileCompleted(tenantId, customer, now), now);
    expect((await stepsOf(db, profile)).map((s) => s.status)).toEqual(["pending"]);

    // The control: a running campaign's queued message does take the slot.
    const other = await addCustomer(db, tenantId, { consents: ["email"] }, now);
    const running = await messageCampaign(db, tenantId, "registered");
    await queueFor(other, running);
    await enrolFromEvent(db, cache, profileCompleted(tenantId, other, now), now);
    const skipped = (await enrolmentsOf(db, profile)).find((e) => e.customerId === other);
    expect(skipped?.outcome).toBe("skipped");
  });
});
