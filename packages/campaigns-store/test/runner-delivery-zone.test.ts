import { nextLocalTime, planActions } from "@regulars/campaigns";
import { CampaignDefinition, DomainEvent, ProgrammeConfig, TransactionInput } from "@regulars/contracts";
import { type Db, type DbTx, withTransaction } from "@regulars/db";
import { newId, stableId } from "@regulars/ids";
import { applyTransactionBatch, expandOutbox } from "@regulars/ledger-store";
import { ProgrammeCache } from "@regulars/programme";
import { saleBody, testDb } from "@regulars/testing";
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

// A tier upgrade and a milestone name no location: they are read on the clock of the till whose sale caused them.
describe("the clock of a tier or milestone campaign delivering on the location's", () => {
  const soldAt = new Date();
  const localTime = (d: Date, timeZone: string) =>
    new Intl.DateTimeFormat("en-GB", { timeZone, hour: "2-digit", minute: "2-digit", hourCycle: "h23" }).format(d);

  /** A Warsaw tenant whose first 5 points reach silver and a milestone, with a New York till (`ny`). */
  async function tenantWithTillAbroad() {
    const { tenantId } = await runnerTenant(db, WARSAW);
    const config = ProgrammeConfig.parse({
      rules: [{ id: "base", type: "base_rate", pointsPerUnit: 1, unitMinor: 100 }],
      tiers: {
        basis: "points_earned",
        window: "lifetime",
        levels: [
          { id: "bronze", name: "Bronze", threshold: 0 },
          { id: "silver", name: "Silver", threshold: 5 },
        ],
      },
      milestones: [5],
    });
    await db.programmeVersion.create({
      data: { tenantId, version: 2, effectiveFrom: new Date(0), config, createdBy: "test" },
    });
    await db.$executeRaw`
      INSERT INTO locations (tenant_id, id, name, timezone) VALUES (${tenantId}, 'ny', 'Manhattan', ${NEW_YORK})`;
    return tenantId;
  }

  /** The events the ledger announces for one sale of 10 points by a new customer at `locationId`. */
  async function saleEvents(tenantId: string, phone: string, locationId: string) {
    const lines = [{ sku: "MEAL", name: "Meal", quantity: 1, unitPrice: 1000, discount: 0, tags: [] }];
    const transaction = TransactionInput.parse(saleBody({ channel: "pos", customer: { phone }, locationId, lines }));
    const message = {
      tenantId,
      transactionId: stableId("transaction", tenantId, transaction.externalId),
      receivedAt: soldAt.toISOString(),
      transaction,
    };
    const applied = await applyTransactionBatch({ db, programmes: new ProgrammeCache(db, 0), now: () => soldAt }, [
      message,
    ]);
    expect(applied.outcomes).toEqual([{ kind: "done" }]);
    const customerId = (await db.customer.findFirstOrThrow({ where: { tenantId, phone } })).id;
    const events = expandOutbox(applied.outbox)
      .filter((e) => e.type === "tier.changed" || e.type === "points.milestone")
      .map((e) => DomainEvent.parse(e.payload));
    expect(events.map((e) => e.type).sort()).toEqual(["points.milestone", "tier.changed"]);
    return { customerId, events };
  }

  it("plans a tier's and a milestone's message at 18:00 at the sale's till, in the tenant's zone at a till without one", async () => {
    const tenantId = await tenantWithTillAbroad();
    const at18 = { timing: { at: "local_time", time: "18:00" }, zone: "location" } as const;
    const actions = [{ type: "send_message" as const, channel: "email" as const, templateId: "tpl_well_done" }];
    const tierCampaign = await addCampaign(db, tenantId, {
      audience: { kind: "none" },
      trigger: { type: "tier_reached" },
      actions,
      delivery: at18,
    });
    const milestoneCampaign = await addCampaign(db, tenantId, {
      audience: { kind: "none" },
      trigger: { type: "points_milestone", thresholds: [5] },
      actions,
      delivery: at18,
    });
    const inNewYork = await saleEvents(tenantId, "+48731000101", "ny");
    // `store-001` has no row of its own: the tenant's clock.
    const atHome = await saleEvents(tenantId, "+48731000102", "store-001");

    for (const e of [...inNewYork.events, ...atHome.events]) await enrolFromEvent(db, cache, e, soldAt);

    /** The local time of each customer's step: New York's for the sale there, Warsaw's for the one at home. */
    const plannedAt = async (campaignId: string) => {
      const steps = await stepsOf(db, campaignId);
      const runAtOf = (customerId: string) => steps.find((s) => s.customerId === customerId)!.runAt;
      expect(runAtOf(inNewYork.customerId).getTime()).toBeGreaterThan(soldAt.getTime());
      return [localTime(runAtOf(inNewYork.customerId), NEW_YORK), localTime(runAtOf(atHome.customerId), WARSAW)];
    };
    expect({ tier: await plannedAt(tierCampaign), milestone: await plannedAt(milestoneCampaign) }).toEqual({
      tier: ["18:00", "18:00"],
      milestone: ["18:00", "18:00"],
    });
  });
});
