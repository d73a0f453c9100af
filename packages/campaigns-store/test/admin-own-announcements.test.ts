import type { Db } from "@regulars/db";
import { testDb } from "@regulars/testing";
import { afterAll, beforeAll, expect, it } from "vitest";
import { createCampaign, createTemplate, updateCampaign } from "../src/index.ts";
import { ACTOR, campaignTenant, smsVariant } from "./admin-fixtures.ts";

let db: Db;
beforeAll(() => {
  db = testDb();
});
afterAll(async () => {
  await db?.$disconnect();
});

// A campaign never hears what its own steps announce (runner-triggers.test.ts), and hears other campaigns' doing up to
// a bounded chain (runner-campaign-chains.test.ts): a campaign on an event its own actions announce is a campaign like
// any other, saved and edited without a refusal.
const onEarned = (conditions: unknown[], more: Record<string, unknown> = {}) => ({
  name: "Thanks for your points",
  audience: { kind: "none" },
  trigger: { type: "domain_event", eventType: "points.earned", conditions, ...more },
  actions: [{ type: "award_points", points: 5, reason: "Thanks" }],
  limits: { perCustomer: { mode: "repeatable", minGapHours: 0 } },
});

it("saves a domain_event campaign on an event its own actions announce", async () => {
  const tenantId = await campaignTenant(db);
  expect((await createCampaign(db, tenantId, onEarned([]), ACTOR)).status).toBe("draft");
  // "Top up any campaign's bonus", as saved while `campaignCaused` was asked for: still read, now ignored.
  const topUp = onEarned([{ field: "movementKind", op: "eq", value: "bonus" }], { campaignCaused: true });
  expect((await createCampaign(db, tenantId, topUp, ACTOR)).status).toBe("draft");
});

it("renames a campaign whose message and bonus announce events its trigger listens to", async () => {
  const tenantId = await campaignTenant(db);
  const sms = await createTemplate(db, tenantId, { name: "Sorry", channel: "sms", variants: [smsVariant()] }, ACTOR);
  const onFailed = {
    name: "Sorry we missed you",
    audience: { kind: "none" },
    trigger: { type: "domain_event", eventType: "message.failed", conditions: [] },
    actions: [
      { type: "award_points", points: 5, reason: "Sorry" },
      { type: "send_message", channel: "sms", templateId: sms.id },
    ],
    limits: { perCustomer: { mode: "repeatable", minGapHours: 0 } },
  };
  const saved = await createCampaign(db, tenantId, onFailed, ACTOR);
  const renamed = await updateCampaign(db, tenantId, saved.id, { ...onFailed, name: "Sorry again" }, ACTOR);
  expect(renamed.name).toBe("Sorry again");
});
