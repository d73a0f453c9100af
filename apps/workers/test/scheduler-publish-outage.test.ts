import { CampaignDefinition } from "@regulars/contracts";
import type { Db } from "@regulars/db";
import { newId } from "@regulars/ids";
import { createLogger } from "@regulars/logger";
import { ProgrammeCache } from "@regulars/programme";
import { testBus, testDb, testTenant } from "@regulars/testing";
import { afterAll, beforeAll, expect, it } from "vitest";
import { runScheduledJobs } from "../src/index.ts";
import { broadcastCampaign } from "./message-fixtures.ts";
import { passWhenLeaseFree } from "./scheduled-pass.ts";

// A job that publishes as it goes (a page, a campaign's chunk) meets a NATS outage once per publish: each would wait
// out its timeout under the scheduler's lease. After the first failure the run stops trying, with one warning, and
// leaves its events to the outbox relay.

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

it("NATS away: one failed publish per job run, one warning, and the events left unpublished for the relay", async () => {
  const { tenantId } = await testTenant(db, "Publish Outage Grill");
  const customers = [newId("customer"), newId("customer")];
  await db.customer.createMany({ data: customers.map((id) => ({ id, tenantId, createdVia: "test" })) });
  const now = new Date();
  const runAt = new Date(now.getTime() - 60_000);
  // Three due broadcasts: the campaigns job publishes each one's enrolments as it commits them.
  for (const name of ["Monday treat", "Tuesday treat", "Wednesday treat"])
    await broadcastCampaign(
      db,
      tenantId,
      CampaignDefinition.parse({
        name,
        status: "scheduled",
        audience: { kind: "all_members" },
        trigger: { type: "broadcast", schedule: { repeat: "once", at: runAt.toISOString() } },
        actions: [{ type: "award_points", points: 10, reason: name }],
      }),
      runAt,
    );
  const away = await testBus({ namespace: bus.topology.namespace });
  await away.nc.close();
  const lines: { level: number; msg: string; job?: string }[] = [];
  const log = createLogger({ level: "warn", destination: { write: (line: string) => lines.push(JSON.parse(line)) } });

  const { done } = await passWhenLeaseFree(() =>
    runScheduledJobs({ db, bus: away, log, programmes: new ProgrammeCache(db) }, now, { tenantIds: [tenantId] }),
  );

  expect(done["campaign-schedules"]).toBe(6);
  expect(done.failed).toBeUndefined();
  const warnings = lines.filter((l) => l.msg.startsWith("publishing job events failed"));
  expect(warnings.map((w) => w.job)).toEqual(["campaign-schedules"]);
  const rows = await db.outboxEvent.findMany({ where: { tenantId }, select: { publishedAt: true } });
  expect(rows.length).toBeGreaterThanOrEqual(3);
  expect(rows.every((r) => r.publishedAt === null)).toBe(true);
});
