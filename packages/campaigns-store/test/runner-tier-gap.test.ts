import { describe, expect, it } from "vitest";
import { enrolFromEvent } from "../src/index.ts";
import { addCampaign, addCustomer, enrolmentsOf, event, runnerDb, runnerTenant } from "./runner-fixtures.ts";

// A `tier_gap` campaign ("Only 20 points to gold") enrols on the ledger's `tier.gap` for its tier and band, once per
// crossing, through the path the `campaign-triggers` durable takes.

const { db, cache } = runnerDb();
const now = new Date();

const gap = (tenantId: string, customerId: string, tierId: string, within: number, crossing: number) =>
  event({
    type: "tier.gap",
    id: `tier_gap:${customerId}:${tierId}:${within}:${crossing}`,
    tenantId,
    customerId,
    occurredAt: now.toISOString(),
    tierId,
    within,
    threshold: 500,
    value: 500 - within,
    gap: within,
    crossing,
    transactionId: null,
  });

describe("tier_gap campaigns", () => {
  it("enrol on their tier and band, once per crossing", async () => {
    const { tenantId } = await runnerTenant(db);
    const campaignId = await addCampaign(db, tenantId, {
      audience: { kind: "none" },
      trigger: { type: "tier_gap", tierId: "gold", within: 20 },
      actions: [{ type: "award_points", points: 5, reason: "Nearly gold" }],
      limits: { perCustomer: { mode: "repeatable", minGapHours: 0 } },
    });
    const customer = await addCustomer(db, tenantId);
    expect(await enrolFromEvent(db, cache, gap(tenantId, customer, "gold", 50, 1), now)).toMatchObject({ entered: 0 });
    expect(await enrolFromEvent(db, cache, gap(tenantId, customer, "silver", 20, 1), now)).toMatchObject({
      entered: 0,
    });
    const first = gap(tenantId, customer, "gold", 20, 1);
    expect(await enrolFromEvent(db, cache, first, now)).toMatchObject({ entered: 1 });
    // The same crossing delivered again: the same occurrence, nothing new.
    expect(await enrolFromEvent(db, cache, first, now)).toMatchObject({ entered: 0 });
    expect(await enrolFromEvent(db, cache, gap(tenantId, customer, "gold", 20, 2), now)).toMatchObject({ entered: 1 });
    expect((await enrolmentsOf(db, campaignId)).map((e) => [e.occurrence, e.outcome])).toEqual([
      ["tier_gap:gold:20:1", "entered"],
      ["tier_gap:gold:20:2", "entered"],
    ]);
  });
});
