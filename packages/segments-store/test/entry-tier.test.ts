import { ProgrammeConfig, SegmentDefinition } from "@regulars/contracts";
import { testAnalytics, testDb, testTenant } from "@regulars/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { evaluateSegment } from "../src/index.ts";
import { addCustomer } from "./fixtures.ts";

// A member the ledger has not placed in a tier (registered, never bought) holds the entry level for earning, action
// rules and checkout (`tierOrEntry`); their snapshot carries it too, so a segment of the entry level finds them.

const db = testDb();
let analytics: Awaited<ReturnType<typeof testAnalytics>>;
const timezone = "Europe/Warsaw";
const now = new Date(Date.now() - 60_000);

beforeAll(async () => {
  analytics = await testAnalytics();
});
afterAll(async () => {
  await analytics?.dispose();
  await db.$disconnect();
});

/** A tenant whose programme in force has tiers (bronze is the entry level), or keeps the default without any. */
async function tenant(withTiers: boolean) {
  const { tenantId } = await testTenant(db, "Entry Tier", timezone);
  if (withTiers)
    await db.programmeVersion.create({
      data: {
        tenantId,
        version: 2,
        effectiveFrom: new Date(now.getTime() - 86_400_000),
        createdBy: "test",
        config: ProgrammeConfig.parse({
          rules: [{ id: "base", type: "base_rate", pointsPerUnit: 1, unitMinor: 100 }],
          tiers: {
            basis: "points_earned",
            window: "lifetime",
            levels: [
              { id: "silver", name: "Silver", threshold: 200 },
              { id: "bronze", name: "Bronze", threshold: 0 },
            ],
          },
        }),
      },
    });
  return { tenantId, timezone };
}

const tierIn = (tenantId: string, tiers: string[]) =>
  evaluateSegment(
    analytics,
    { kind: "definition", definition: SegmentDefinition.parse({ all: [{ type: "tier_in", tiers }] }) },
    { tenantId, timezone, now },
  );

describe("a member without a stored tier", () => {
  it("is in a segment of the entry level of the programme in force", async () => {
    const shop = await tenant(true);
    const unplaced = await addCustomer(db, analytics, shop, now, { registeredDaysAgo: 3 });
    const bronze = await addCustomer(db, analytics, shop, now, { tier: "bronze" });
    const silver = await addCustomer(db, analytics, shop, now, { tier: "silver" });

    expect((await tierIn(shop.tenantId, ["bronze"])).sort()).toEqual([unplaced, bronze].sort());
    expect(await tierIn(shop.tenantId, ["silver"])).toEqual([silver]);
  });

  it("holds no tier where the programme has none", async () => {
    const shop = await tenant(false);
    await addCustomer(db, analytics, shop, now, { registeredDaysAgo: 3 });
    expect(await tierIn(shop.tenantId, ["bronze"])).toEqual([]);
  });
});
