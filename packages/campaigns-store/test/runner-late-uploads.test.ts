import type { CampaignTrigger } from "@regulars/contracts";
import { newId } from "@regulars/ids";
import { describe, expect, it } from "vitest";
import { enrolFromEvent } from "../src/index.ts";
import {
  addCampaign,
  addCustomer,
  DAY,
  enrolmentsOf,
  event,
  HOUR,
  later,
  runnerDb,
  runnerTenant,
} from "./runner-fixtures.ts";

// A till uploads its sales up to 35 days late. What such a sale causes once the campaign is live (a first purchase, a
// milestone crossed, a tier reached) is new to the campaign even though the sale is dated before its start; what the
// ledger processed before the start, read again from the stream's beginning, is not. An app's own event counts from
// when it happened.

const { db, cache } = runnerDb();
const now = new Date();
const started = later(now, -DAY);
const saleTime = later(now, -10 * DAY);

async function liveCampaign(tenantId: string, trigger: CampaignTrigger) {
  return addCampaign(
    db,
    tenantId,
    { audience: { kind: "none" }, trigger, actions: [{ type: "award_points", points: 10, reason: "Well done" }] },
    { startedAt: started },
  );
}

/** A sale made at `saleTime` and processed by the ledger at `processedAt`. */
async function sale(tenantId: string, customerId: string, processedAt: Date) {
  const id = newId("transaction");
  await db.$executeRaw`
    INSERT INTO transactions (id, tenant_id, external_id, type, occurred_at, location_id, channel, customer_id, currency,
      total, discount_total, points_awarded, received_at, processed_at)
    VALUES (${id}, ${tenantId}, ${id}, 'sale', ${saleTime}, 'store-1', 'pos', ${customerId}, 'EUR', 700, 0, 7,
      ${processedAt}, ${processedAt})`;
  return id;
}

const processed = (tenantId: string, customerId: string, transactionId: string) =>
  event({
    id: `processed:${transactionId}`,
    tenantId,
    customerId,
    occurredAt: saleTime.toISOString(),
    type: "transaction.processed",
    transactionId,
    externalId: transactionId,
    kind: "sale",
    refundOf: null,
    locationId: "store-1",
    channel: "pos",
    currency: "EUR",
    total: 700,
    discountTotal: 0,
    points: 7,
    lines: [],
  });

async function milestone(tenantId: string, customerId: string, recordedAt: Date) {
  await db.$executeRaw`
    INSERT INTO milestone_crossings (customer_id, threshold, crossing, tenant_id, above, crossed_at, changed_at)
    VALUES (${customerId}, 100, 1, ${tenantId}, true, ${recordedAt}, ${recordedAt})`;
  return event({
    id: `milestone:${customerId}:100:1`,
    tenantId,
    customerId,
    occurredAt: saleTime.toISOString(),
    type: "points.milestone",
    threshold: 100,
    balance: 120,
    crossing: 1,
  });
}

const tierUp = (tenantId: string, customerId: string, transactionId: string) =>
  event({
    id: `tier:${customerId}:${transactionId}`,
    tenantId,
    customerId,
    occurredAt: saleTime.toISOString(),
    type: "tier.changed",
    from: null,
    to: "gold",
    direction: "up",
    qualifyingValue: 1000,
  });

describe("a sale uploaded late", () => {
  it.each([
    ["processed after the start enrols", now, 1],
    ["processed before the start does not", later(started, -HOUR), 0],
  ])("transaction.processed %s", async (_, processedAt, entered) => {
    const { tenantId } = await runnerTenant(db);
    const campaign = await liveCampaign(tenantId, { type: "first_purchase" });
    const customer = await addCustomer(db, tenantId);
    const txn = await sale(tenantId, customer, processedAt);
    await enrolFromEvent(db, cache, processed(tenantId, customer, txn), now);
    expect((await enrolmentsOf(db, campaign)).length).toBe(entered);
  });

  it.each([
    ["recorded after the start enrols", now, 1],
    ["recorded before the start does not", later(started, -HOUR), 0],
  ])("points.milestone %s", async (_, recordedAt, entered) => {
    const { tenantId } = await runnerTenant(db);
    const campaign = await liveCampaign(tenantId, { type: "points_milestone", thresholds: [100] });
    const customer = await addCustomer(db, tenantId);
    await enrolFromEvent(db, cache, await milestone(tenantId, customer, recordedAt), later(now, HOUR));
    expect((await enrolmentsOf(db, campaign)).length).toBe(entered);
  });

  it.each([
    ["processed after the start enrols", now, 1],
    ["processed before the start does not", later(started, -HOUR), 0],
  ])("tier.changed of a sale %s", async (_, processedAt, entered) => {
    const { tenantId } = await runnerTenant(db);
    const campaign = await liveCampaign(tenantId, { type: "tier_reached" });
    const customer = await addCustomer(db, tenantId);
    const txn = await sale(tenantId, customer, processedAt);
    await enrolFromEvent(db, cache, tierUp(tenantId, customer, txn), now);
    expect((await enrolmentsOf(db, campaign)).length).toBe(entered);
  });

  it("an app event dated before the start does not enrol", async () => {
    const { tenantId } = await runnerTenant(db);
    const campaign = await liveCampaign(tenantId, { type: "profile_completed" });
    const customer = await addCustomer(db, tenantId);
    const recorded = event({
      id: newId("event"),
      tenantId,
      customerId: customer,
      occurredAt: later(started, -HOUR).toISOString(),
      type: "event.recorded",
      eventId: newId("event"),
      eventType: "profile_completed",
      locationId: null,
      channel: "app",
      properties: {},
    });
    await enrolFromEvent(db, cache, recorded, now);
    expect(await enrolmentsOf(db, campaign)).toEqual([]);
  });
});
