import { describe, expect, it } from "vitest";
import { enrolFromEvent } from "../src/index.ts";
import {
  addCampaign,
  addCustomer,
  DAY,
  enrolmentsOf,
  event,
  HOUR,
  later,
  runnerDb,
  runnerTenant,
} from "./runner-fixtures.ts";

// A milestone's crossing closes when the balance falls back below it. A `points.milestone` read late (a new durable
// replaying the stream, a runner's backlog) is judged by when the crossing was recorded, never by that fall: else a
// crossing from before the campaign started, spent since, would enrol the customer for points they no longer have.

const { db, cache } = runnerDb();
const now = new Date();
const started = later(now, -DAY);

interface Crossing {
  crossing: number;
  crossedAt: Date;
  closedAt?: Date;
}

/** Rows as the ledger leaves them: `changed_at` is the crossing, or its close. */
async function crossings(tenantId: string, customerId: string, rows: Crossing[]) {
  for (const r of rows)
    await db.$executeRaw`
      INSERT INTO milestone_crossings (customer_id, threshold, crossing, tenant_id, above, crossed_at, changed_at)
      VALUES (${customerId}, 100, ${r.crossing}, ${tenantId}, ${!r.closedAt}, ${r.crossedAt}, ${r.closedAt ?? r.crossedAt})`;
}

const milestone = (tenantId: string, customerId: string, { crossing, crossedAt }: Crossing) =>
  event({
    id: `milestone:${customerId}:100:${crossing}`,
    tenantId,
    customerId,
    occurredAt: crossedAt.toISOString(),
    type: "points.milestone",
    threshold: 100,
    balance: 120,
    crossing,
  });

async function setUp() {
  const { tenantId } = await runnerTenant(db);
  const campaign = await addCampaign(
    db,
    tenantId,
    {
      audience: { kind: "none" },
      trigger: { type: "points_milestone", thresholds: [100] },
      actions: [{ type: "award_points", points: 10, reason: "Well done" }],
    },
    { startedAt: started },
  );
  return { tenantId, campaign, customer: await addCustomer(db, tenantId) };
}

describe("a milestone crossing closed before its event is read", () => {
  it("crossed before the start and spent after it: does not enrol", async () => {
    const { tenantId, campaign, customer } = await setUp();
    const old = { crossing: 1, crossedAt: later(now, -10 * DAY), closedAt: later(now, -HOUR) };
    await crossings(tenantId, customer, [old]);
    await enrolFromEvent(db, cache, milestone(tenantId, customer, old), now);
    expect(await enrolmentsOf(db, campaign)).toHaveLength(0);
  });

  it("each crossing counts from its own time: the old one, closed after the start, does not enrol; the new one does", async () => {
    const { tenantId, campaign, customer } = await setUp();
    const old = { crossing: 1, crossedAt: later(now, -10 * DAY), closedAt: later(now, -2 * HOUR) };
    const again = { crossing: 2, crossedAt: later(now, -HOUR) };
    await crossings(tenantId, customer, [old, again]);

    await enrolFromEvent(db, cache, milestone(tenantId, customer, old), now);
    expect(await enrolmentsOf(db, campaign)).toHaveLength(0);
    await enrolFromEvent(db, cache, milestone(tenantId, customer, again), now);
    expect(await enrolmentsOf(db, campaign)).toHaveLength(1);
  });
});
