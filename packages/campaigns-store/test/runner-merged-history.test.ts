import type { Db } from "@regulars/db";
import { newId } from "@regulars/ids";
import { testDb } from "@regulars/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ActiveCampaignCache, enrolFromEvent } from "../src/index.ts";
import {
  addCampaign,
  addCustomer,
  enrolmentsOf,
  event,
  HOUR,
  later,
  runnerTenant,
  stepsOf,
} from "./runner-fixtures.ts";

// A merge moves none of the merged customer's enrolments, steps or messages: they stay under the id it took away,
// yet they were the same person's. A once-only campaign and the frequency caps must count them for the survivor.

let db: Db;
let cache: ActiveCampaignCache;
beforeAll(() => {
  db = testDb();
  cache = new ActiveCampaignCache(db, 0);
});
afterAll(async () => {
  await db?.$disconnect();
});

const now = new Date();

/** The rows `mergeCustomer` leaves: the merge, and the merges into the merged customer re-pointed at the survivor. */
async function merge(db: Db, tenantId: string, intoId: string, ...mergedIds: string[]) {
  for (const mergedId of mergedIds)
    await db.$executeRaw`
      INSERT INTO customer_merges (merged_id, tenant_id, into_id) VALUES (${mergedId}, ${tenantId}, ${intoId})`;
}

const reachedGold = (tenantId: string, customerId: string) =>
  event({
    id: newId("event"),
    tenantId,
    customerId,
    occurredAt: now.toISOString(),
    type: "tier.changed",
    from: "silver",
    to: "gold",
    direction: "up",
    qualifyingValue: 500,
  });

describe("a customer merged into another", () => {
  it("has received a once-only campaign for the survivor, through a chain of merges", async () => {
    const { tenantId } = await runnerTenant(db);
    const campaignId = await addCampaign(db, tenantId, {
      audience: { kind: "none" },
      trigger: { type: "tier_reached", tierId: "gold" },
      actions: [{ type: "award_points", points: 10, reason: "Gold bonus" }],
    });
    const till = await addCustomer(db, tenantId);
    const kiosk = await addCustomer(db, tenantId);
    const app = await addCustomer(db, tenantId);
    expect(await enrolFromEvent(db, cache, reachedGold(tenantId, till), now)).toMatchObject({ entered: 1 });
    // The till customer went into the kiosk one, which then went into the app account.
    await merge(db, tenantId, app, till, kiosk);

    expect(await enrolFromEvent(db, cache, reachedGold(tenantId, app), now)).toMatchObject({ entered: 0, refused: 1 });
    const survivors = (await enrolmentsOf(db, campaignId)).filter((e) => e.customerId === app);
    expect(survivors.map((e) => [e.outcome, e.reason])).toEqual([["refused", "already_received"]]);
  });

  it("counts its recent message against the survivor's frequency cap", async () => {
    const { tenantId } = await runnerTenant(db);
    const campaignId = await addCampaign(db, tenantId, {
      audience: { kind: "none" },
      trigger: { type: "tier_reached", tierId: "gold" },
      actions: [{ type: "send_message", channel: "push", templateId: "tpl_gold" }],
      limits: { perCustomer: { mode: "once" }, frequencyCaps: [{ max: 1, windowHours: 24 }] },
    });
    const till = await addCustomer(db, tenantId, { push: true, consents: ["push"] });
    const app = await addCustomer(db, tenantId, { push: true, consents: ["push"] });
    await db.message.create({
      data: {
        id: newId("message"),
        tenantId,
        customerId: till,
        channel: "push",
        language: "en",
        toAddress: "tok",
        content: {},
        sendAt: later(now, -HOUR),
        nextAttemptAt: later(now, -HOUR),
        status: "sent",
      },
    });
    await merge(db, tenantId, app, till);

    await enrolFromEvent(db, cache, reachedGold(tenantId, app), now);
    const steps = await stepsOf(db, campaignId);
    expect(steps.map((s) => [s.customerId, s.status, s.reason])).toEqual([[app, "skipped", "capped"]]);
  });
});
