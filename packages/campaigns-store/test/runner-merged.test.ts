import type { Db } from "@regulars/db";
import { testDb } from "@regulars/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runDueBroadcasts, scanClockTriggers } from "../src/index.ts";
import { addCampaign, addCustomer, DAY, enrolmentsOf, later, runnerTenant } from "./runner-fixtures.ts";

// A till customer merged into an app account keeps its row (date of birth, loyalty row) but nobody can reach it:
// coupons or points given to it are lost, so the audiences and the daily scan reach the survivor only.

let db: Db;
beforeAll(() => {
  db = testDb();
});
afterAll(async () => {
  await db?.$disconnect();
});

const now = new Date();

async function mergedPair(db: Db, tenantId: string, lastActivityAt: Date) {
  const survivor = await addCustomer(db, tenantId, { lastActivityAt });
  const mergedAway = await addCustomer(db, tenantId, { lastActivityAt });
  await db.$executeRaw`
    INSERT INTO customer_merges (merged_id, tenant_id, into_id) VALUES (${mergedAway}, ${tenantId}, ${survivor})`;
  return { survivor, mergedAway };
}

describe("customers merged into another", () => {
  it("are not enrolled by an all-members broadcast, while the survivor is", async () => {
    const { tenantId, timezone } = await runnerTenant(db);
    const { survivor } = await mergedPair(db, tenantId, later(now, -DAY));
    const runAt = later(now, -60_000);
    const campaignId = await addCampaign(
      db,
      tenantId,
      {
        status: "scheduled",
        audience: { kind: "all_members" },
        trigger: { type: "broadcast", schedule: { repeat: "once", at: runAt.toISOString() } },
        actions: [{ type: "award_points", points: 5, reason: "Thank you" }],
      },
      { nextRunAt: runAt },
    );
    await runDueBroadcasts({ db, tenantId, zone: timezone, now, chunkSize: 2 });
    expect((await enrolmentsOf(db, campaignId)).map((e) => e.customerId)).toEqual([survivor]);
  });

  it("are not enrolled by the inactivity scan, while the survivor is", async () => {
    const { tenantId, timezone } = await runnerTenant(db);
    const { survivor } = await mergedPair(db, tenantId, later(now, -40 * DAY));
    const campaignId = await addCampaign(db, tenantId, {
      audience: { kind: "all_members" },
      trigger: { type: "inactive", days: 30 },
      actions: [{ type: "award_points", points: 20, reason: "We miss you" }],
      limits: { perCustomer: { mode: "repeatable", minGapHours: 0 } },
    });
    await scanClockTriggers({ db, tenantId, zone: timezone, now, chunkSize: 2 });
    expect((await enrolmentsOf(db, campaignId)).map((e) => e.customerId)).toEqual([survivor]);
  });
});
