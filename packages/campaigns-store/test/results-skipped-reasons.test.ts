import { insertCampaignEvents } from "@regulars/analytics";
import type { Db } from "@regulars/db";
import { testAnalytics, testDb } from "@regulars/testing";
import { afterAll, beforeAll, expect, it } from "vitest";
import { campaignResults, runDueBroadcasts } from "../src/index.ts";
import {
  addCampaign,
  addCustomer,
  addSegment,
  later,
  runDueSteps,
  runnerTenant,
  setStatus,
  stepsOf,
} from "./runner-fixtures.ts";

// A campaign's skipped messages by reason: those planning skipped (no step ran, no message exists) and those the sender
// cancelled before they went, added up by reason.

let db: Db;
let analytics: Awaited<ReturnType<typeof testAnalytics>>;
beforeAll(async () => {
  db = testDb();
  analytics = await testAnalytics();
});
afterAll(async () => {
  await analytics?.dispose();
  await db?.$disconnect();
});

const now = new Date();

it("counts skipped messages by why: no consent, no profiling consent, no address, and cancelled at send time", async () => {
  const { tenantId, timezone } = await runnerTenant(db);
  const reached = await addCustomer(db, tenantId, { push: true, consents: ["push"] });
  const withdrew = await addCustomer(db, tenantId, { push: true, consents: ["push"] });
  const noConsent = await addCustomer(db, tenantId, { push: true });
  const notProfiled = await addCustomer(db, tenantId, { push: true, consents: ["push"], profiling: [] });
  const noDevice = await addCustomer(db, tenantId, { consents: ["push"] });
  // Raw SQL reads behaviour: its campaign needs profiling consent.
  const segmentId = await addSegment(db, tenantId, [reached, withdrew, noConsent, notProfiled, noDevice]);
  const runAt = later(now, -60_000);
  const campaignId = await addCampaign(
    db,
    tenantId,
    {
      status: "scheduled",
      audience: { kind: "segment", segmentId },
      trigger: { type: "broadcast", schedule: { repeat: "once", at: runAt.toISOString() } },
      actions: [{ type: "send_message", channel: "push", templateId: "tpl_new" }],
      controlGroup: { share: 0 },
    },
    { nextRunAt: runAt },
  );
  await runDueBroadcasts({ db, tenantId, zone: timezone, now, chunkSize: 10 });
  // The sender found one customer's consent withdrawn and cancelled the message, announced with the reason as its code.
  const base = { tenantId, occurredAt: now.toISOString(), campaignId, channel: "push" as const };
  await insertCampaignEvents(analytics, [
    {
      ...base,
      id: "message.sent:msg_reached",
      type: "message.sent",
      customerId: reached,
      messageId: "msg_reached",
      provider: "dev",
      attempt: 1,
    },
    {
      ...base,
      id: "message.failed:msg_withdrew",
      type: "message.failed",
      customerId: withdrew,
      messageId: "msg_withdrew",
      code: "no_consent",
      reason: "consent withdrawn",
    },
  ]);

  const results = await campaignResults({ db, analytics }, tenantId, campaignId, { conversionDays: 14 });
  expect(results.skipped).toEqual({
    total: 4,
    byReason: { no_consent: 2, no_profiling_consent: 1, no_address: 1 },
  });
  expect(results.messages.cancelled).toBe(1);
});

it("counts the message steps a campaign archived before they ran cancelled, by that reason", async () => {
  const { tenantId, timezone } = await runnerTenant(db);
  const waiting = [
    await addCustomer(db, tenantId, { push: true, consents: ["push"] }),
    await addCustomer(db, tenantId, { push: true, consents: ["push"] }),
  ];
  const noConsent = await addCustomer(db, tenantId, { push: true });
  const segmentId = await addSegment(db, tenantId, [...waiting, noConsent]);
  const runAt = later(now, -60_000);
  const campaignId = await addCampaign(
    db,
    tenantId,
    {
      status: "scheduled",
      audience: { kind: "segment", segmentId },
      trigger: { type: "broadcast", schedule: { repeat: "once", at: runAt.toISOString() } },
      actions: [{ type: "send_message", channel: "push", templateId: "tpl_new" }],
      controlGroup: { share: 0 },
    },
    { nextRunAt: runAt },
  );
  await runDueBroadcasts({ db, tenantId, zone: timezone, now, chunkSize: 10 });
  // Archived while its messages waited to be queued: the step executor cancels them, no message ever exists.
  await setStatus(db, campaignId, "archived");
  expect(await runDueSteps(db, tenantId, now)).toEqual(["cancelled", "cancelled"]);
  expect((await stepsOf(db, campaignId)).filter((s) => s.status === "cancelled")).toHaveLength(2);

  const results = await campaignResults({ db, analytics }, tenantId, campaignId, { conversionDays: 14 });
  expect(results.skipped).toEqual({ total: 3, byReason: { campaign_archived: 2, no_consent: 1 } });
  expect(results.messages.cancelled).toBe(0);
});
