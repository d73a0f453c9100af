import type { DomainEvent } from "@regulars/contracts";
import type { Db } from "@regulars/db";
import { testAnalytics, testDb } from "@regulars/testing";
import { afterAll, beforeAll, expect, it } from "vitest";
import { writeFactsBatch } from "../src/analytics/write-facts.ts";

// The analytics writer stores campaign enrolments and message events for campaign results; a redelivered
// batch leaves one row per event.

let analytics: Awaited<ReturnType<typeof testAnalytics>>;
let pg: Db;
beforeAll(async () => {
  analytics = await testAnalytics();
  pg = testDb();
});
afterAll(async () => {
  await analytics?.dispose();
  await pg?.$disconnect();
});

const occurredAt = new Date(Date.now() - 60_000).toISOString();
const base = { tenantId: "ten_writer", customerId: "cus_writer", occurredAt };
const events: DomainEvent[] = [
  {
    ...base,
    type: "campaign.enrolled",
    id: "enrolled:1",
    campaignId: "cmp_1",
    version: 1,
    enrolmentId: "enr_1",
    occurrence: "registered",
    outcome: "entered",
  },
  {
    ...base,
    type: "message.sent",
    id: "sent:1",
    messageId: "msg_1",
    campaignId: "cmp_1",
    channel: "sms",
    provider: "dev",
    attempt: 1,
  },
  {
    ...base,
    type: "message.failed",
    id: "failed:2",
    messageId: "msg_2",
    campaignId: null,
    channel: "email",
    code: "no_consent",
    reason: "no marketing consent",
  },
];

async function rows(query: string) {
  const result = await analytics.client.query({ query, format: "JSONEachRow" });
  return result.json<Record<string, unknown>>();
}

it("writes campaign.enrolled and message.* events to their tables, once however often they arrive", async () => {
  expect(await writeFactsBatch(pg, analytics, events)).toEqual(events.map(() => ({ kind: "done" })));
  await writeFactsBatch(pg, analytics, [events[1]!, events[0]!]);
  const db = analytics.database;
  expect(
    await rows(`SELECT campaign_id, enrolment_id, customer_id, outcome FROM ${db}.campaign_enrolments FINAL`),
  ).toEqual([{ campaign_id: "cmp_1", enrolment_id: "enr_1", customer_id: "cus_writer", outcome: "entered" }]);
  expect(
    await rows(`SELECT campaign_id, message_id, type, provider, code FROM ${db}.message_events FINAL ORDER BY id`),
  ).toEqual([
    { campaign_id: "", message_id: "msg_2", type: "failed", provider: "", code: "no_consent" },
    { campaign_id: "cmp_1", message_id: "msg_1", type: "sent", provider: "dev", code: "" },
  ]);
});
