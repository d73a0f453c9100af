import { CampaignDefinition } from "@regulars/contracts";
import type { Db } from "@regulars/db";
import { newId } from "@regulars/ids";
import { silentLogger } from "@regulars/logger";
import { ProgrammeCache } from "@regulars/programme";
import { testBus, testDb, testTenant } from "@regulars/testing";
import { afterAll, beforeAll, expect, it } from "vitest";
import { runScheduledJobs } from "../src/index.ts";

// Campaign schedules run in the scheduled pass, under its lease: a due broadcast enrols its audience, its
// enrolments are published, and the next pass (another process, or this one later) adds nothing.

let bus: Awaited<ReturnType<typeof testBus>>;
let db: Db;
beforeAll(async () => {
  bus = await testBus();
  db = testDb();
});
afterAll(async () => {
  await bus?.dispose();
  await db?.$disconnect();
});

it("runs a due broadcast in the scheduled pass once, and publishes its enrolments", async () => {
  const { tenantId } = await testTenant(db, "Campaign Schedule Grill");
  const customers = [newId("customer"), newId("customer"), newId("customer")];
  await db.customer.createMany({ data: customers.map((id) => ({ id, tenantId, createdVia: "test" })) });
  const now = new Date();
  const runAt = new Date(now.getTime() - 60_000);
  const definition = CampaignDefinition.parse({
    name: "Friday treat",
    status: "scheduled",
    audience: { kind: "all_members" },
    trigger: { type: "broadcast", schedule: { repeat: "once", at: runAt.toISOString() } },
    actions: [{ type: "award_points", points: 10, reason: "Friday treat" }],
  });
  const campaignId = newId("campaign");
  await db.campaign.create({
    data: {
      id: campaignId,
      tenantId,
      name: definition.name,
      status: "scheduled",
      triggerType: "broadcast",
      version: 1,
      nextRunAt: runAt,
      createdBy: "test",
    },
  });
  await db.campaignVersion.create({ data: { campaignId, version: 1, definition, createdBy: "test" } });
  const deps = { db, bus, log: silentLogger, programmes: new ProgrammeCache(db) };

  const done = await runScheduledJobs(deps, now, { tenantIds: [tenantId] });
  expect(done?.["campaign-schedules"]).toBe(3);
  expect(done?.failed).toBeUndefined();
  const enrolments = await db.campaignEnrolment.findMany({ where: { campaignId } });
  expect(enrolments.map((e) => e.customerId).sort()).toEqual([...customers].sort());
  const announced = await db.outboxEvent.findMany({ where: { tenantId, type: "campaign.enrolled" } });
  expect(announced).toHaveLength(3);
  expect(announced.every((o) => o.publishedAt !== null)).toBe(true);
  expect(await db.campaign.findUniqueOrThrow({ where: { id: campaignId } })).toMatchObject({
    status: "active",
    nextRunAt: null,
  });

  const again = await runScheduledJobs(deps, new Date(now.getTime() + 60_000), { tenantIds: [tenantId] });
  expect(again?.["campaign-schedules"]).toBe(0);
  expect(await db.campaignEnrolment.count({ where: { campaignId } })).toBe(3);
});
