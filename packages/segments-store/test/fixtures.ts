import type { Analytics, TransactionFact } from "@regulars/analytics";
import { insertLoyaltyEvents } from "@regulars/analytics";
import type { Db } from "@regulars/db";
import { newId } from "@regulars/ids";
import { localDate } from "@regulars/segments";
import { snapshotCustomers } from "../src/index.ts";

const dayMs = 86_400_000;

/** Times relative to the injected clock: never a literal date. */
export const ago = (now: Date, days: number) => new Date(now.getTime() - days * dayMs);

export interface CustomerAttributes {
  tier?: string;
  email?: boolean;
  phone?: boolean;
  /** Days from now (in the tenant's zone) to the next birthday. */
  birthdayInDays?: number;
  registeredDaysAgo?: number;
  consents?: { channel: "push" | "sms" | "email"; purpose: "marketing" | "profiling"; granted: boolean }[];
}

/** A customer in Postgres (created 400 days ago), its attributes, and its snapshot in ClickHouse. */
export async function addCustomer(
  db: Db,
  analytics: Analytics,
  tenant: { tenantId: string; timezone: string },
  now: Date,
  a: CustomerAttributes = {},
): Promise<string> {
  const id = newId("customer");
  const { tenantId } = tenant;
  let dateOfBirth: Date | null = null;
  if (a.birthdayInDays !== undefined) {
    const [, month, day] = localDate(new Date(now.getTime() + a.birthdayInDays * dayMs), tenant.timezone);
    dateOfBirth = new Date(Date.UTC(1990, month - 1, day));
  }
  await db.customer.create({
    data: {
      id,
      tenantId,
      createdVia: "test",
      createdAt: ago(now, 400),
      email: a.email ? `${id}@example.com` : null,
      phone: a.phone ? "+48600100200" : null,
      dateOfBirth,
    },
  });
  if (a.registeredDaysAgo !== undefined) {
    await db.customerProfile.create({
      data: { customerId: id, tenantId, registeredAt: ago(now, a.registeredDaysAgo) },
    });
  }
  if (a.tier) await db.customerLoyalty.create({ data: { customerId: id, tenantId, tier: a.tier } });
  for (const [i, c] of (a.consents ?? []).entries()) {
    await db.customerConsent.create({
      data: { id: newId("event"), tenantId, customerId: id, ...c, source: "test", occurredAt: ago(now, 10 - i) },
    });
  }
  await snapshotCustomers(db, analytics, { changed: [{ tenantId, customerId: id }], seen: [] });
  return id;
}

export interface Line {
  sku?: string;
  category?: string;
  tags?: string[];
  quantity: number;
}

/** A processed sale (or refund) in ClickHouse, `daysAgo` before now. */
export function fact(
  tenantId: string,
  customerId: string,
  now: Date,
  f: { daysAgo: number; total: number; lines?: Line[]; location?: string; kind?: "sale" | "refund"; id?: string },
): TransactionFact {
  const id = f.id ?? newId("transaction");
  return {
    tenantId,
    transactionId: id,
    externalId: id,
    type: f.kind ?? "sale",
    refundOf: null,
    occurredAt: ago(now, f.daysAgo).toISOString(),
    locationId: f.location ?? "loc_1",
    channel: "pos",
    customerId,
    currency: "EUR",
    total: f.total,
    discountTotal: 0,
    points: 0,
    lines: (f.lines ?? [{ quantity: 1 }]).map((l, i) => ({
      lineNo: i + 1,
      sku: l.sku ?? "ITEM",
      name: "Item",
      category: l.category ?? null,
      tags: l.tags ?? [],
      quantity: l.quantity,
      unitPrice: 100,
      discount: 0,
      amount: 100 * l.quantity,
    })),
  };
}

/**
 * Facts as the pipeline stores them: into ClickHouse (the analytics writer), as profile facts into Postgres
 * (the profile writer, once per transaction), then the sales' customers' snapshots with their sale totals
 * (what the profile writer does after its commit). Delivering the same facts again changes no total.
 */
export async function recordFacts(db: Db, analytics: Analytics, facts: TransactionFact[]): Promise<void> {
  await analytics.insertTransactions(facts);
  const known = facts.filter((f) => f.customerId !== null);
  const items = known.map((f) => f.lines.reduce((n, l) => n + l.quantity, 0));
  const tags = known.map((f) => {
    const perTag: Record<string, number> = {};
    for (const l of f.lines) for (const tag of new Set(l.tags)) perTag[tag] = (perTag[tag] ?? 0) + l.quantity;
    return JSON.stringify(perTag);
  });
  await db.$executeRaw`
    INSERT INTO profile_orders (tenant_id, transaction_id, customer_id, kind, occurred_at, value, location_id, channel,
      daypart, item_count, tag_quantities)
    SELECT tenant_id, transaction_id, customer_id, kind, occurred_at, value, location_id, 'pos', 'lunch', items, tags::jsonb
    FROM unnest(${known.map((f) => f.tenantId)}::text[], ${known.map((f) => f.transactionId)}::text[],
      ${known.map((f) => f.customerId)}::text[], ${known.map((f) => f.type)}::text[],
      ${known.map((f) => f.occurredAt)}::timestamptz[], ${known.map((f) => f.total)}::bigint[],
      ${known.map((f) => f.locationId)}::text[], ${items}::int[], ${tags}::text[])
      AS x(tenant_id, transaction_id, customer_id, kind, occurred_at, value, location_id, items, tags)
    ON CONFLICT (tenant_id, transaction_id) DO NOTHING`;
  const changed = known
    .filter((f) => f.type === "sale")
    .map((f) => ({ tenantId: f.tenantId, customerId: f.customerId! }));
  await snapshotCustomers(db, analytics, { changed, seen: [] });
}

export async function behaviouralEvent(
  analytics: Analytics,
  tenantId: string,
  customerId: string,
  type: string,
  at: Date,
) {
  await analytics.insertEvents([
    {
      tenantId,
      eventId: newId("event"),
      type,
      occurredAt: at.toISOString(),
      customerId,
      locationId: null,
      channel: "app",
      properties: {},
    },
  ]);
}

export async function pointsEarned(analytics: Analytics, tenantId: string, customerId: string, at: Date) {
  await insertLoyaltyEvents(analytics, [
    {
      type: "points.earned",
      id: newId("event"),
      tenantId,
      customerId,
      occurredAt: at.toISOString(),
      points: 10,
      movementKind: "earn",
      transactionId: null,
      pending: false,
      balance: 10,
    },
  ]);
}
