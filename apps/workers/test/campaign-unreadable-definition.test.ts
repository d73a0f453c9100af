import { type DeadLetterInfo, publishMany } from "@regulars/bus";
import { CampaignDefinition } from "@regulars/contracts";
import type { Db } from "@regulars/db";
import { newId } from "@regulars/ids";
import { createLogger, createMetricsRegistry } from "@regulars/logger";
import { ProgrammeCache } from "@regulars/programme";
import { eventually, testBus, testDb, testTenant } from "@regulars/testing";
import { afterAll, beforeAll, expect, it } from "vitest";
import { type RunningWorkers, runScheduledJobs, startWorkers } from "../src/index.ts";
import { broadcastCampaign } from "./message-fixtures.ts";
import { passWhenLeaseFree } from "./scheduled-pass.ts";

// One active campaign whose stored definition this release cannot read (a newer release's, written mid-deploy) is
// left out and logged; the tenant's other campaigns still act: a registration still enrols the customer in the
// welcome campaign (no retries, no dead letter), and a due broadcast still runs in the scheduled pass.

let bus: Awaited<ReturnType<typeof testBus>>;
let db: Db;
let workers: RunningWorkers | undefined;
beforeAll(async () => {
  bus = await testBus();
  db = testDb();
});
afterAll(async () => {
  await workers?.stop();
  await bus?.dispose();
  await db?.$disconnect();
});

/** A log that keeps its lines, and the ones saying a campaign was skipped. */
function capturedLog() {
  const lines: string[] = [];
  const log = createLogger({ level: "warn", destination: { write: (line: string) => lines.push(line) } });
  const skipped = () =>
    lines
      .map((l) => JSON.parse(l) as { msg: string; campaignId?: string; issues?: { path: unknown[] }[] })
      .filter((l) => /does not parse/.test(l.msg));
  return { log, skipped };
}

/** A campaign row whose version 1 holds what a newer release would write: a schema version this one does not know. */
async function unreadableCampaign(tenantId: string, triggerType: string, nextRunAt: Date | null): Promise<string> {
  const id = newId("campaign");
  const definition = JSON.stringify({
    schemaVersion: 2,
    name: "From the next release",
    status: "active",
    audience: { kind: "all_members" },
    trigger: { type: triggerType },
    actions: [{ type: "award_points", points: 5, reason: "Newer" }],
  });
  await db.$executeRaw`
    INSERT INTO campaigns (id, tenant_id, name, status, trigger_type, version, next_run_at, created_by)
    VALUES (${id}, ${tenantId}, 'From the next release', 'active', ${triggerType}, 1, ${nextRunAt}, 'test')`;
  await db.$executeRaw`
    INSERT INTO campaign_versions (tenant_id, campaign_id, version, definition, created_by)
    VALUES (${tenantId}, ${id}, 1, ${definition}::jsonb, 'test')`;
  return id;
}

it("a registration enrols the customer in the welcome campaign beside an active campaign it cannot read", async () => {
  const { tenantId } = await testTenant(db, "Unreadable Trigger Grill");
  const welcomeId = newId("campaign");
  const definition = CampaignDefinition.parse({
    name: "Welcome",
    status: "active",
    audience: { kind: "none" },
    trigger: { type: "registered" },
    actions: [{ type: "award_points", points: 5, reason: "Welcome" }],
  });
  await db.campaign.create({
    data: {
      id: welcomeId,
      tenantId,
      name: "Welcome",
      status: "active",
      triggerType: "registered",
      version: 1,
      createdBy: "test",
    },
  });
  await db.campaignVersion.create({
    data: { tenantId, campaignId: welcomeId, version: 1, definition, createdBy: "test" },
  });
  const unreadableId = await unreadableCampaign(tenantId, "registered", null);
  const customerId = newId("customer");
  await db.customer.create({ data: { id: customerId, tenantId, createdVia: "app" } });

  await publishMany(bus.js, [
    {
      subject: bus.topology.subjects.domain(tenantId, "customer.created"),
      msgId: `customer-created:${customerId}`,
      payload: {
        type: "customer.created",
        id: `customer-created:${customerId}`,
        tenantId,
        customerId,
        occurredAt: new Date().toISOString(),
        via: "app",
        fields: [],
      },
    },
  ]);
  const letters: DeadLetterInfo[] = [];
  const { log, skipped } = capturedLog();
  workers = await startWorkers({
    db,
    bus,
    log,
    registry: createMetricsRegistry("test"),
    enabled: ["campaigns"],
    campaigns: { pollMs: 100, tenantIds: [tenantId] },
    maxDeliver: 2,
    backoffMs: () => 50,
    onDeadLetter: async (info) => {
      letters.push(info);
    },
  });

  // Whichever comes first: the enrolment, or the event set aside as undeliverable.
  await eventually("the event is handled or dead-lettered", async () =>
    letters.length || (await db.campaignEnrolment.count({ where: { campaignId: welcomeId } })) ? true : undefined,
  );
  expect(letters.map((l) => l.category)).toEqual([]);
  const enrolments = await db.campaignEnrolment.findMany({ where: { tenantId } });
  expect(enrolments.map((e) => [e.campaignId, e.customerId, e.outcome])).toEqual([[welcomeId, customerId, "entered"]]);
  const logged = skipped();
  expect(logged.map((l) => l.campaignId)).toEqual([unreadableId]);
  expect(logged[0]?.issues?.map((i) => i.path)).toContainEqual(["schemaVersion"]);
});

it("a due broadcast runs in the scheduled pass beside a due broadcast it cannot read", async () => {
  const { tenantId } = await testTenant(db, "Unreadable Broadcast Grill");
  const customers = [newId("customer"), newId("customer")];
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
  const campaignId = await broadcastCampaign(db, tenantId, definition, runAt);
  const unreadableId = await unreadableCampaign(tenantId, "broadcast", runAt);
  const { log, skipped } = capturedLog();
  const deps = { db, bus, log, programmes: new ProgrammeCache(db) };

  const { done } = await passWhenLeaseFree(() => runScheduledJobs(deps, now, { tenantIds: [tenantId] }));
  expect(done.failed).toBeUndefined();
  expect(done["campaign-schedules"]).toBe(2);
  const enrolments = await db.campaignEnrolment.findMany({ where: { tenantId } });
  expect(enrolments.map((e) => [e.campaignId, e.customerId]).sort()).toEqual(
    customers.map((c) => [campaignId, c]).sort(),
  );
  expect(skipped().map((l) => l.campaignId)).toEqual([unreadableId]);
});
