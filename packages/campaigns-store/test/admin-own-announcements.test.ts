import type { Db } from "@regulars/db";
import { testDb } from "@regulars/testing";
import { afterAll, beforeAll, expect, it } from "vitest";
import { createCampaign } from "../src/index.ts";
import { ACTOR, campaignTenant, domainError } from "./admin-fixtures.ts";

let db: Db;
beforeAll(() => {
  db = testDb();
});
afterAll(async () => {
  await db?.$disconnect();
});

// A campaign is never started by what its own steps announce (runner-triggers.test.ts): one saved to wait for them is
// told so, at the event type, unless its conditions leave its own out.
it("refuses a domain_event campaign on an event its own actions announce, naming the event type", async () => {
  const tenantId = await campaignTenant(db);
  const onEarned = (conditions: unknown[]) => ({
    name: "Thanks for your points",
    audience: { kind: "none" },
    trigger: { type: "domain_event", eventType: "points.earned", conditions },
    actions: [{ type: "award_points", points: 5, reason: "Thanks" }],
    limits: { perCustomer: { mode: "repeatable", minGapHours: 0 } },
  });
  const e = await domainError(createCampaign(db, tenantId, onEarned([]), ACTOR));
  expect(e.code).toBe("invalid_request");
  expect(e.issues).toEqual([{ path: "trigger.eventType", message: expect.stringMatching(/movementKind ne bonus/) }]);
  const onSalePoints = onEarned([{ field: "movementKind", op: "ne", value: "bonus" }]);
  expect((await createCampaign(db, tenantId, onSalePoints, ACTOR)).status).toBe("draft");
});
