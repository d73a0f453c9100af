import { ProgrammeConfig, SegmentDefinition } from "@regulars/contracts";
import { testAnalytics, testDb, testTenant } from "@regulars/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createSegment, listMembers, previewSegment, refreshSegment } from "../src/index.ts";
import { addCustomer } from "./fixtures.ts";

// A member the ledger has not placed in a tier (registered, never bought) holds the entry level for earning, action
// rules and checkout (`tierOrEntry`). Their snapshot holds no tier: a segment counts them at the entry level of the
// programme in force when it is evaluated, since publishing a programme rewrites no snapshot.

const db = testDb();
let analytics: Awaited<ReturnType<typeof testAnalytics>>;
const timezone = "Europe/Warsaw";
const now = new Date(Date.now() - 60_000);
const dayMs = 86_400_000;

beforeAll(async () => {
  analytics = await testAnalytics();
});
afterAll(async () => {
  await analytics?.dispose();
  await db.$disconnect();
});

const tenant = async () => ({ ...(await testTenant(db, "Entry Tier", timezone)), timezone });

/** Publishes a programme version with these tier levels, in force from `effectiveFrom` (before `now`). */
async function publishTiers(
  tenantId: string,
  version: number,
  effectiveFrom: Date,
  levels: { id: string; threshold: number }[],
) {
  await db.programmeVersion.create({
    data: {
      tenantId,
      version,
      effectiveFrom,
      createdBy: "test",
      config: ProgrammeConfig.parse({
        rules: [{ id: "base", type: "base_rate", pointsPerUnit: 1, unitMinor: 100 }],
        tiers: {
          basis: "points_earned",
          window: "lifetime",
          levels: levels.map((l) => ({ ...l, name: l.id })),
        },
      }),
    },
  });
}

let segments = 0;

/**
 * The members of "tier in `tiers`" as a refresh stores them, checked against what a preview counts; and the tier
 * the preview shows for each.
 */
async function tierIn(tenantId: string, tiers: string[]) {
  const source = {
    kind: "definition" as const,
    definition: SegmentDefinition.parse({ all: [{ type: "tier_in", tiers }] }),
  };
  const preview = await previewSegment({ db, analytics }, tenantId, source, now);
  const segment = await createSegment(db, tenantId, { name: `Tiers ${++segments}`, source }, "test");
  await refreshSegment({ db, analytics }, tenantId, segment.id, now);
  const { members } = await listMembers(db, tenantId, segment.id, { limit: 100 });
  const ids = members.map((m) => m.customerId).sort();
  expect(preview.sample.map((m) => m.customerId).sort()).toEqual(ids);
  expect(preview.members).toBe(ids.length);
  return { ids, shown: Object.fromEntries(preview.sample.map((m) => [m.customerId, m.tier])) };
}

describe("a member without a stored tier", () => {
  it("is in a segment of the entry level of the programme in force", async () => {
    const shop = await tenant();
    await publishTiers(shop.tenantId, 2, new Date(now.getTime() - dayMs), [
      { id: "silver", threshold: 200 },
      { id: "bronze", threshold: 0 },
    ]);
    const unplaced = await addCustomer(db, analytics, shop, now, { registeredDaysAgo: 3 });
    const bronze = await addCustomer(db, analytics, shop, now, { tier: "bronze" });
    const silver = await addCustomer(db, analytics, shop, now, { tier: "silver" });

    const inBronze = await tierIn(shop.tenantId, ["bronze"]);
    expect(inBronze.ids).toEqual([unplaced, bronze].sort());
    expect(inBronze.shown[unplaced]).toBe("bronze");
    expect((await tierIn(shop.tenantId, ["silver"])).ids).toEqual([silver]);
  });

  it("counts at the entry level of tiers published after their snapshot was written", async () => {
    const shop = await tenant();
    const unplaced = await addCustomer(db, analytics, shop, now, { registeredDaysAgo: 3 });
    // Nothing about the customer changes, so nothing rewrites their snapshot.
    await publishTiers(shop.tenantId, 2, new Date(now.getTime() - 1_000), [
      { id: "bronze", threshold: 0 },
      { id: "silver", threshold: 200 },
    ]);

    const inBronze = await tierIn(shop.tenantId, ["bronze", "gold"]);
    expect(inBronze.ids).toEqual([unplaced]);
    expect(inBronze.shown[unplaced]).toBe("bronze");
    expect((await tierIn(shop.tenantId, ["silver"])).ids).toEqual([]);
  });

  it("moves with the entry level when a later version changes it", async () => {
    const shop = await tenant();
    await publishTiers(shop.tenantId, 2, new Date(now.getTime() - dayMs), [
      { id: "bronze", threshold: 0 },
      { id: "silver", threshold: 200 },
    ]);
    const unplaced = await addCustomer(db, analytics, shop, now, { registeredDaysAgo: 3 });
    const bronze = await addCustomer(db, analytics, shop, now, { tier: "bronze" });
    await publishTiers(shop.tenantId, 3, new Date(now.getTime() - 1_000), [
      { id: "starter", threshold: 0 },
      { id: "bronze", threshold: 100 },
    ]);

    expect((await tierIn(shop.tenantId, ["bronze"])).ids).toEqual([bronze]);
    expect((await tierIn(shop.tenantId, ["starter"])).ids).toEqual([unplaced]);
  });

  it("holds no tier where the programme has none", async () => {
    const shop = await tenant();
    const unplaced = await addCustomer(db, analytics, shop, now, { registeredDaysAgo: 3 });
    expect((await tierIn(shop.tenantId, ["bronze"])).ids).toEqual([]);
    const everyone = await previewSegment(
      { db, analytics },
      shop.tenantId,
      { kind: "definition", definition: SegmentDefinition.parse({ all: [{ type: "registered_within", days: 7 }] }) },
      now,
    );
    expect(everyone.sample).toMatchObject([{ customerId: unplaced, tier: null }]);
  });
});
