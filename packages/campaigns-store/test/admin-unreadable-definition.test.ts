import type { Db } from "@regulars/db";
import { newId } from "@regulars/ids";
import { testAnalytics, testDb } from "@regulars/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  campaignResults,
  campaignVersion,
  campaignVersions,
  getCampaign,
  listCampaigns,
  setCampaignStatus,
  updateCampaign,
} from "../src/index.ts";
import { ACTOR, campaignTenant, domainError } from "./admin-fixtures.ts";

// A campaign whose stored definition this release cannot read (a newer release's mid-deploy, or a row from before
// a schema change) is skipped by the workers until it is saved again; the admin side must still show it and let
// an admin pause or archive it, with a readable refusal where the definition itself is needed.

let db: Db;
let analytics: Awaited<ReturnType<typeof testAnalytics>>;
beforeAll(async () => {
  db = testDb();
  analytics = await testAnalytics();
});
afterAll(async () => {
  await analytics?.dispose();
  await db?.$disconnect();
});

/** A campaign row whose version 1 holds `definition` as it is, not as this release would save it. */
async function storedCampaign(
  tenantId: string,
  definition: object,
  nextRunAt = new Date(Date.now() + 3_600_000),
): Promise<string> {
  const id = newId("campaign");
  await db.$executeRaw`
    INSERT INTO campaigns (id, tenant_id, name, status, trigger_type, version, next_run_at, created_by)
    VALUES (${id}, ${tenantId}, 'From elsewhere', 'active', 'broadcast', 1, ${nextRunAt}, 'test')`;
  await db.$executeRaw`
    INSERT INTO campaign_versions (tenant_id, campaign_id, version, definition, created_by)
    VALUES (${tenantId}, ${id}, 1, ${JSON.stringify(definition)}::jsonb, 'test')`;
  return id;
}

const fromNewerRelease = {
  schemaVersion: 2,
  name: "From the next release",
  status: "active",
  audience: { kind: "all_members" },
  trigger: { type: "broadcast", schedule: { repeat: "daily", time: "18:00" } },
  actions: [{ type: "award_points", points: 5, reason: "Newer" }],
};

describe("a campaign whose stored definition does not parse", () => {
  it("opens as a readable refusal naming the release and the fields; the list and the versions still show it", async () => {
    const tenantId = await campaignTenant(db);
    const id = await storedCampaign(tenantId, fromNewerRelease);

    const e = await domainError(getCampaign(db, tenantId, id));
    expect(e.code).toBe("unprocessable");
    expect(e.message).toMatch(/newer release/);
    expect(e.message).toMatch(/schema version 2/);
    expect(e.issues?.map((i) => i.path)).toContain("schemaVersion");
    expect((await domainError(campaignVersion(db, tenantId, id, 1))).code).toBe("unprocessable");

    expect((await listCampaigns(db, tenantId, { limit: 10 })).items.map((c) => c.id)).toEqual([id]);
    expect((await campaignVersions(db, tenantId, id)).map((v) => v.version)).toEqual([1]);
  });

  it("names the fields of an old row that is not a newer release's", async () => {
    const tenantId = await campaignTenant(db);
    const { schemaVersion: _, ...current } = fromNewerRelease;
    const id = await storedCampaign(tenantId, { ...current, trigger: { type: "retired_trigger" } });
    const e = await domainError(getCampaign(db, tenantId, id));
    expect(e.code).toBe("unprocessable");
    expect(e.message).not.toMatch(/newer release/);
    expect(e.message).toMatch(/trigger/);
    expect(e.issues?.length).toBeGreaterThan(0);
  });

  it("pauses and archives without reading it; resuming it is refused with the same reason and changes nothing", async () => {
    const tenantId = await campaignTenant(db);
    const id = await storedCampaign(tenantId, fromNewerRelease);

    const paused = await setCampaignStatus(db, tenantId, id, "paused", ACTOR);
    expect(paused).toMatchObject({ id, status: "paused", nextRunAt: null, definition: null });
    expect(paused.definition === null && paused.unreadable.message).toMatch(/newer release/);

    const resumed = await domainError(setCampaignStatus(db, tenantId, id, "active", ACTOR));
    expect(resumed.code).toBe("unprocessable");
    expect((await db.campaign.findUniqueOrThrow({ where: { id } })).status).toBe("paused");

    expect(await setCampaignStatus(db, tenantId, id, "archived", ACTOR)).toMatchObject({ status: "archived" });
    const moves = await db.auditLog.findMany({
      where: { tenantId, action: "campaigns.status" },
      orderBy: { id: "asc" },
    });
    expect(moves.map((m) => m.details)).toEqual([
      expect.objectContaining({ from: "active", to: "paused" }),
      expect.objectContaining({ from: "paused", to: "archived" }),
    ]);
  });

  it("is saved again in this release's shape while its run is due, and then opens and runs", async () => {
    const tenantId = await campaignTenant(db);
    const id = await storedCampaign(tenantId, fromNewerRelease, new Date(Date.now() - 60_000));
    const { schemaVersion: _, ...readable } = fromNewerRelease;
    const saved = await updateCampaign(db, tenantId, id, readable, ACTOR);
    expect(saved).toMatchObject({ id, version: 2, status: "active" });
    expect(saved.nextRunAt).not.toBeNull();
    expect((await getCampaign(db, tenantId, id)).definition.schemaVersion).toBe(1);
  });

  it("counts its results even when its stored actions are not a list", async () => {
    const tenantId = await campaignTenant(db);
    const id = await storedCampaign(tenantId, { ...fromNewerRelease, actions: { type: "award_points" } });
    const results = await campaignResults({ db, analytics }, tenantId, id, { conversionDays: 14 });
    expect(results).toMatchObject({ campaignId: id, coupons: { issued: 0, redeemed: 0 } });
  });
});
