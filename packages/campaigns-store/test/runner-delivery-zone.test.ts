import { nextLocalTime, planActions } from "@regulars/campaigns";
import { CampaignDefinition } from "@regulars/contracts";
import { type Db, type DbTx, withTransaction } from "@regulars/db";
import { newId } from "@regulars/ids";
import { ProgrammeCache } from "@regulars/programme";
import { testDb } from "@regulars/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  ActiveCampaignCache,
  type CampaignMessageRequest,
  claimDueSteps,
  enrolFromEvent,
  enrolOccurrences,
  type QueueCampaignMessages,
  runDueBroadcasts,
  runMessageSteps,
} from "../src/index.ts";
import {
  addCampaign,
  addCustomer,
  addSegment,
  event,
  later,
  messagesOf,
  recordingQueue,
  runDueSteps,
  runnerTenant,
  stepsOf,
} from "./runner-fixtures.ts";

// Every way a campaign's message is queued keeps the zone planning timed it in, for the send check to read quiet
// hours on the same clock: a tenant in Warsaw, a sale at its New York till (the customer zone falls back to it).

let db: Db;
let cache: ActiveCampaignCache;
beforeAll(() => {
  db = testDb();
  cache = new ActiveCampaignCache(db, 0);
});
afterAll(async () => {
  await db?.$disconnect();
});

const NEW_YORK = "America/New_York";
const WARSAW = "Europe/Warsaw";
// 16:00 in New York: 21:00 or 22:00 in Warsaw, inside the quiet hours there.
const now = nextLocalTime(Date.now(), 16 * 60, NEW_YORK);
const quietAtNight = {
  timing: { at: "immediately" },
  quietHours: { start: "21:00", end: "08:00" },
} as const;

async function saleCampaign() {
  const { tenantId } = await runnerTenant(db, WARSAW);
  await db.$executeRaw`
    INSERT INTO locations (tenant_id, id, name, timezone) VALUES (${tenantId}, 'ny', 'Manhattan', ${NEW_YORK})`;
  const campaignId = await addCampaign(db, tenantId, {
    audience: { kind: "none" },
    trigger: { type: "domain_event", eventType: "transaction.processed" },
    actions: [{ type: "send_message", channel: "email", templateId: "tpl_thanks" }],
    delivery: quietAtNight, // zone: "customer", the default
    limits: { perCustomer: { mode: "repeatable", minGapHours: 0 } },
  });
  const customerId = await addCustomer(db, tenantId, { consents: ["email"] }, now);
  const sale = event({
    type: "transaction.processed",
    id: newId("event"),
    tenantId,
    customerId,
    occurredAt: now.toISOString(),
    transactionId: newId("transaction"),
    externalId: newId("transaction"),
    kind: "sale",
    refundOf: null,
    locationId: "ny",
    channel: "pos",
    currency: "EUR",
    total: 700,
    discountTotal: 0,
    points: 7,
    lines: [],
  });
  return { tenantId, campaignId, customerId, sale };
}

/** A batch queue that records what it was asked, then queues as `recordingQueue`. */
function capturingQueue() {
  const asked: CampaignMessageRequest[] = [];
  const queueMessages: QueueCampaignMessages = async (tx: DbTx, inputs) => {
    asked.push(...inputs);
    const out = [];
    for (const input of inputs) out.push(await recordingQueue(tx, input));
    return out;
  };
  return { asked, queueMessages };
}

describe("the zone a campaign's message was timed in", () => {
  it("is kept on a sale's step and on the message the executor queues from it", async () => {
    const { tenantId, campaignId, sale } = await saleCampaign();
    expect(await enrolFromEvent(db, cache, sale, now)).toMatchObject({ entered: 1 });
    const [step] = await stepsOf(db, campaignId);
    expect(step!.runAt.getTime()).toBe(now.getTime());
    expect(step!.action).toMatchObject({ type: "send_message", deliveryZone: NEW_YORK });
    expect(await runDueSteps(db, tenantId, now)).toEqual(["done"]);
    expect((await messagesOf(db, tenantId)).map((m) => m.deliveryZone)).toEqual([NEW_YORK]);
  });

  it("is carried by the executor's batch of message steps", async () => {
    const { tenantId, sale } = await saleCampaign();
    await enrolFromEvent(db, cache, sale, now);
    const claimed = await claimDueSteps(db, { now, limit: 10, claimMs: 60_000, tenantIds: [tenantId] });
    const { asked, queueMessages } = capturingQueue();
    const effects = { queueMessage: recordingQueue, queueMessages, programmes: new ProgrammeCache(db, 0) };
    expect((await runMessageSteps(db, claimed, effects, now)).map((o) => o.outcome)).toEqual(["done"]);
    expect(asked.map((a) => a.deliveryZone)).toEqual([NEW_YORK]);
  });

  it("is carried by a message queued while it is planned", async () => {
    const { tenantId, customerId, sale } = await saleCampaign();
    const [campaign] = await cache.forTenant(tenantId, now.getTime());
    const { asked, queueMessages } = capturingQueue();
    const entry = { customerId, occurrence: `sale:${sale.id}`, at: now };
    const zones = { tenant: WARSAW, location: NEW_YORK };
    await withTransaction(db, (tx) =>
      enrolOccurrences(tx, { campaign: campaign!, zones, entries: [entry], now, queueDueMessages: queueMessages }),
    );
    expect(asked.map((a) => a.deliveryZone)).toEqual([NEW_YORK]);
  });

  it("is the tenant's for a broadcast, queued while it is planned", async () => {
    const { tenantId } = await runnerTenant(db, WARSAW);
    const member = await addCustomer(db, tenantId, { consents: ["email"] }, now);
    const segmentId = await addSegment(db, tenantId, [member]);
    const runAt = later(now, -60_000);
    await addCampaign(
      db,
      tenantId,
      {
        status: "scheduled",
        audience: { kind: "segment", segmentId },
        trigger: { type: "broadcast", schedule: { repeat: "once", at: runAt.toISOString() } },
        actions: [{ type: "send_message", channel: "email", templateId: "tpl_news" }],
        delivery: { timing: { at: "immediately" } },
      },
      { nextRunAt: runAt },
    );
    const { asked, queueMessages } = capturingQueue();
    await runDueBroadcasts({ db, tenantId, zone: WARSAW, now, queueDueMessages: queueMessages });
    expect(asked.map((a) => a.deliveryZone)).toEqual([WARSAW]);
  });

  it("is the customer's own when known, else the location's, else the tenant's", () => {
    const definition = CampaignDefinition.parse({
      name: "Zones",
      status: "active",
      audience: { kind: "none" },
      trigger: { type: "domain_event", eventType: "transaction.processed" },
      actions: [{ type: "send_message", channel: "email", templateId: "tpl_thanks" }],
      delivery: quietAtNight,
    });
    const zoneFor = (customerZone: string | null, location: string | null) =>
      planActions(
        { id: "cmp_zones", version: 1, definition },
        { id: "cus_1", consents: [], reachable: { email: true, sms: false, push: false }, zone: customerZone },
        { occurrence: { key: "o", at: now }, now, zones: { tenant: WARSAW, location }, previousSends: [], history: [] },
      )[0]!.zone;
    expect(zoneFor("Asia/Tokyo", NEW_YORK)).toBe("Asia/Tokyo");
    expect(zoneFor(null, NEW_YORK)).toBe(NEW_YORK);
    expect(zoneFor("Not/AZone", null)).toBe(WARSAW);
  });
});
