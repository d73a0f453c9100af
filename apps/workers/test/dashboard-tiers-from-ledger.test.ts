import { membersAtEnd } from "@regulars/analytics";
import { DomainEvent, LoyaltyEvent, ProgrammeConfig, TierChanged, type TransactionMessage } from "@regulars/contracts";
import { mergeCustomer } from "@regulars/customers-store";
import { type Db, withTransaction } from "@regulars/db";
import { newId } from "@regulars/ids";
import { customerStanding, expandOutbox, type OutboxItem, outboxEventsOf } from "@regulars/ledger-store";
import { testAnalytics, testDb, testTenant } from "@regulars/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { base, line, refundOf, txMessage } from "../../../packages/ledger-store/test/batch-fixtures.ts";
import { apply } from "../../../packages/ledger-store/test/checkout-fixtures.ts";
import { writeFactsBatch } from "../src/analytics/write-facts.ts";
import { writeLoyaltyEventsBatch } from "../src/analytics/write-loyalty-events.ts";
import { CustomerSnapshotMessage, writeCustomerSnapshotsBatch } from "../src/segments/write-customer-snapshots.ts";

// Members per tier on the dashboard against the tier the ledger holds, where the ledger applied a member's tier
// changes out of the order of their times, and where a merge raised the survivor's tier. Each batch of events is
// stored as one consumer batch would store it. Tiers on points earned over a lifetime, 1 point per €1.

let db: Db;
let analytics: Awaited<ReturnType<typeof testAnalytics>>;
const timezone = "America/Los_Angeles";
const MINUTE = 60_000;
const DAY = 86_400_000;

beforeAll(async () => {
  db = testDb();
  analytics = await testAnalytics();
});
afterAll(async () => {
  await analytics?.dispose();
  await db?.$disconnect();
});

const programme = {
  rules: [base],
  tiers: {
    basis: "points_earned",
    window: "lifetime",
    levels: [
      { id: "bronze", name: "Bronze", threshold: 0 },
      { id: "silver", name: "Silver", threshold: 200 },
      { id: "gold", name: "Gold", threshold: 500 },
    ],
  },
};

async function tieredTenant(customers: number): Promise<{ tenantId: string; ids: string[] }> {
  const { tenantId } = await testTenant(db, "Tier Dashboard", timezone);
  await db.programmeVersion.create({
    data: {
      tenantId,
      version: 2,
      effectiveFrom: new Date(0),
      config: ProgrammeConfig.parse(programme),
      createdBy: "t",
    },
  });
  const ids = Array.from({ length: customers }, () => newId("customer"));
  await db.customer.createMany({ data: ids.map((id) => ({ id, tenantId, createdVia: "pos" })) });
  return { tenantId, ids };
}

const sale = (tenantId: string, customerId: string, euros: number, occurredAt: Date) =>
  txMessage(tenantId, {
    customer: { id: customerId },
    lines: [line("MEAL", euros * 100)],
    occurredAt: occurredAt.toISOString(),
  });

const domainEvents = (outbox: OutboxItem[]) => expandOutbox(outbox).map((item) => DomainEvent.parse(item.payload));

/** Applies each batch in turn and answers everything they announced. */
async function applyAll(...batches: TransactionMessage[][]): Promise<DomainEvent[]> {
  const events: DomainEvent[] = [];
  for (const batch of batches) events.push(...domainEvents((await apply(db, batch)).outbox));
  return events;
}

/** One consumer batch of each ClickHouse writer: the loyalty events in one insert. */
async function store(events: DomainEvent[]) {
  await writeFactsBatch(db, analytics, events);
  const loyalty = events.filter((e): e is LoyaltyEvent => LoyaltyEvent.safeParse(e).success);
  await writeLoyaltyEventsBatch(db, analytics, loyalty);
  await writeCustomerSnapshotsBatch(
    db,
    analytics,
    events.map((e) => CustomerSnapshotMessage.parse(e)),
  );
}

const day = (offsetDays: number) => new Date(Date.now() + offsetDays * DAY).toISOString().slice(0, 10);
const tiersOnDashboard = async (tenantId: string) =>
  (await membersAtEnd(analytics, { tenantId, timezone, from: day(-3), to: day(1) })).tiers.map((t) => [
    t.tier,
    t.members,
  ]);
const ledgerTier = async (customerId: string) => (await customerStanding(db, customerId))?.tier ?? null;

describe("members per tier against the ledger", () => {
  it("an upload of a sale two days old, applied after today's sale, puts the member in gold", async () => {
    const { tenantId, ids } = await tieredTenant(1);
    const [member] = ids as [string];
    const now = Date.now();
    const events = await applyAll(
      [sale(tenantId, member, 250, new Date(now - MINUTE))],
      [sale(tenantId, member, 300, new Date(now - 2 * DAY))],
    );
    await store(events);
    expect(await ledgerTier(member)).toBe("gold");
    expect(await tiersOnDashboard(tenantId)).toEqual([["gold", 1]]);
  });

  it("a sale and its full refund dated a minute before it, in one batch, leave the member in bronze", async () => {
    const { tenantId, ids } = await tieredTenant(1);
    const [member] = ids as [string];
    const now = Date.now();
    const bought = sale(tenantId, member, 250, new Date(now - MINUTE));
    const refund = refundOf(tenantId, bought, [{ ...line("MEAL", 25_000), lineNo: 0 }], {
      occurredAt: new Date(now - 2 * MINUTE).toISOString(),
    });
    const events = await applyAll([bought, refund]);
    await store(events);
    expect(await ledgerTier(member)).toBe("bronze");
    expect(await tiersOnDashboard(tenantId)).toEqual([["bronze", 1]]);
    // Applied in the batch's order, which the refund's time is not: the sale's upgrade, then the refund's downgrade.
    const changes = events.filter((e) => e.type === "tier.changed");
    expect(changes.map((e) => [e.to, e.appliedIndex])).toEqual([
      ["silver", 0],
      ["bronze", 1],
    ]);
  });

  it("a till's gold customer merged into a silver app account: the survivor's gold announced", async () => {
    const { tenantId, ids } = await tieredTenant(2);
    const [app, till] = ids as [string, string];
    const now = Date.now();
    await store(
      await applyAll([
        sale(tenantId, app, 250, new Date(now - 2 * MINUTE)),
        sale(tenantId, till, 600, new Date(now - MINUTE)),
      ]),
    );
    expect(await tiersOnDashboard(tenantId)).toEqual([
      ["gold", 1],
      ["silver", 1],
    ]);

    const mergedAt = new Date(now);
    await withTransaction(db, (tx) =>
      mergeCustomer(tx, tenantId, till, app, { actor: null, source: "app", now: mergedAt }),
    );
    const announced = async (type: string) =>
      (await outboxEventsOf(db, tenantId, type)).map((item) => DomainEvent.parse(item.payload));
    const merged = (await outboxEventsOf(db, tenantId, "tier.changed"))
      .map((item) => TierChanged.parse(item.payload))
      .filter((e) => e.id === `tier:${app}:merge:${till}`);
    await store([...merged, ...(await announced("customer.updated"))]);
    expect(await ledgerTier(app)).toBe("gold");
    expect(await tiersOnDashboard(tenantId)).toEqual([["gold", 1]]);
    // The survivor's own change, taken over rather than reached: 850 points earned by the person.
    expect(merged).toEqual([
      expect.objectContaining({
        customerId: app,
        occurredAt: mergedAt.toISOString(),
        from: "silver",
        to: "gold",
        direction: "up",
        qualifyingValue: 850,
        cause: "merge",
        appliedAt: expect.any(String),
        appliedIndex: 0,
      }),
    ]);
  });
});
