import type { TransactionProcessed } from "@regulars/contracts";
import type { DbTx } from "@regulars/db";
import { type CustomerOrderFact, orderFactOf } from "@regulars/profiles";
import { type DbOrTx, inTransaction } from "../shared.ts";
import { lockSales, markVoidedSales, saleKeysOf } from "./voided.ts";

/**
 * Records processed transactions as profile facts, one row per transaction, in one transaction and one insert
 * statement. Returns how many rows were new. Idempotent: a transaction recorded before (a redelivered event)
 * changes nothing. Anonymous transactions and unknown tenants are skipped. The daypart is read on the till's clock,
 * as the ledger reads a sale's hours: the zone of the sale's location where one is set, else the tenant's, as
 * either is now (facts written before a zone changed keep the daypart they were given).
 *
 * A fact whose customer was merged away meanwhile (the event was published before the merge and read after it, or
 * the merge commits while this runs) goes to the survivor, as the merge moved the rest. A customer id that is not
 * the tenant's is dropped: the ledger never sends one, and no event may put a fact into another tenant's customer.
 * So is an erased customer's: an event published before the erasure and read after its sweep ended (the stream keeps
 * unread events 30 days) would otherwise profile them again, for good.
 *
 * Each sale the events belong to (theirs, or the one a refund names) that has a refund is then judged again: a sale
 * its refunds voided is marked, with those refunds, and stops counting as an order (`markVoidedSales`). A sale
 * without a refund is not read.
 */
export async function recordProcessedTransactions(db: DbOrTx, events: TransactionProcessed[]): Promise<number> {
  const withCustomer = events.filter((e) => e.customerId !== null);
  if (!withCustomer.length) return 0;
  return inTransaction(db, async (tx) => {
    const sales = saleKeysOf(withCustomer);
    await lockSales(tx, sales);
    const zones = await saleZones(tx, withCustomer);
    const facts = withCustomer.flatMap((e) => {
      const zone = zones.get(zoneKey(e.tenantId, e.locationId));
      const fact = zone ? orderFactOf(e, zone) : null;
      return fact ? [fact] : [];
    });
    const inserted = await insertFacts(tx, facts);
    await markVoidedSales(tx, sales);
    return inserted;
  });
}

const zoneKey = (tenantId: string, locationId: string) => JSON.stringify([tenantId, locationId]);

/**
 * The local zone of each (tenant, location) the events name, in one statement: the location's own where its row
 * sets one (`locations`, owned by @regulars/tenancy), else the tenant's: a location without a row (or with a
 * null zone) is in the tenant's zone. Unknown tenants have no entry.
 */
async function saleZones(tx: DbTx, events: { tenantId: string; locationId: string }[]): Promise<Map<string, string>> {
  const pairs = [...new Map(events.map((e) => [zoneKey(e.tenantId, e.locationId), e])).values()];
  const rows = await tx.$queryRaw<{ tenant_id: string; location_id: string; timezone: string }[]>`
    SELECT x.tenant_id, x.location_id, coalesce(l.timezone, t.timezone) AS timezone
    FROM unnest(${pairs.map((p) => p.tenantId)}::text[], ${pairs.map((p) => p.locationId)}::text[])
      AS x(tenant_id, location_id)
    JOIN tenants t ON t.id = x.tenant_id
    LEFT JOIN locations l ON l.tenant_id = x.tenant_id AND l.id = x.location_id`;
  return new Map(rows.map((r) => [zoneKey(r.tenant_id, r.location_id), r.timezone]));
}

export async function insertFacts(tx: DbTx, facts: CustomerOrderFact[]): Promise<number> {
  if (!facts.length) return 0;
  const inserted = await tx.$executeRaw`
    INSERT INTO profile_orders (tenant_id, transaction_id, customer_id, kind, occurred_at, value, location_id, channel,
      daypart, item_count, tag_quantities)
    SELECT x.tenant_id, x.transaction_id, c.id, x.kind, x.occurred_at, x.value, x.location_id, x.channel, x.daypart,
      x.item_count, x.tag_quantities::jsonb
    FROM unnest(${facts.map((f) => f.tenantId)}::text[], ${facts.map((f) => f.transactionId)}::text[],
      ${facts.map((f) => f.customerId)}::text[], ${facts.map((f) => f.kind)}::text[],
      ${facts.map((f) => f.occurredAt.toISOString())}::timestamptz[], ${facts.map((f) => String(f.value))}::bigint[],
      ${facts.map((f) => f.locationId)}::text[], ${facts.map((f) => f.channel)}::text[],
      ${facts.map((f) => f.daypart)}::text[], ${facts.map((f) => f.itemCount)}::int[],
      ${facts.map((f) => JSON.stringify(f.tagQuantities))}::text[])
      AS x(tenant_id, transaction_id, customer_id, kind, occurred_at, value, location_id, channel, daypart, item_count,
        tag_quantities)
    LEFT JOIN customer_merges m ON m.tenant_id = x.tenant_id AND m.merged_id = x.customer_id
    JOIN customers c ON c.tenant_id = x.tenant_id AND c.id = coalesce(m.into_id, x.customer_id) AND c.erased_at IS NULL
    ON CONFLICT (tenant_id, transaction_id) DO NOTHING`;
  // The insert read `customer_merges` as of its start, but a merge of its customer may commit after that: the insert
  // then waits for the merge's lock on the customer (the foreign key's check) and writes the old id, after the merge
  // moved that customer's facts. A statement of its own sees that merge. Moved, a fact may wait for the lock of a
  // merge of the survivor in turn (a chain, re-pointed to its last survivor), hence again until nothing moves.
  while ((await moveToSurvivors(tx, facts)) > 0);
  return inserted;
}

/** The facts of these transactions whose customer has been merged away, moved to its survivor; how many. */
function moveToSurvivors(tx: DbTx, facts: CustomerOrderFact[]): Promise<number> {
  return tx.$executeRaw`
    UPDATE profile_orders o SET customer_id = m.into_id
    FROM unnest(${facts.map((f) => f.tenantId)}::text[], ${facts.map((f) => f.transactionId)}::text[])
      AS x(tenant_id, transaction_id),
      customer_merges m
    WHERE o.tenant_id = x.tenant_id AND o.transaction_id = x.transaction_id
      AND m.tenant_id = o.tenant_id AND m.merged_id = o.customer_id`;
}

/**
 * Whose facts these transactions are now, by tenant and transaction: the customer each recorded fact belongs
 * to (a merge's survivor when the sale named the merged customer), one entry per customer. Transactions
 * without a fact (anonymous, unknown tenant) are left out. Read after the facts' commit, so a redelivered
 * event finds the owner too: whoever updates what derives from the facts (segments' sale totals) does so
 * again, which a crash between the commit and that update needs.
 */
export async function factOwners(
  db: DbOrTx,
  transactions: { tenantId: string; transactionId: string }[],
): Promise<{ tenantId: string; customerId: string }[]> {
  if (!transactions.length) return [];
  const rows = await db.$queryRaw<{ tenant_id: string; customer_id: string }[]>`
    SELECT DISTINCT o.tenant_id, o.customer_id
    FROM unnest(${transactions.map((t) => t.tenantId)}::text[], ${transactions.map((t) => t.transactionId)}::text[])
      AS x(tenant_id, transaction_id)
    JOIN profile_orders o ON o.tenant_id = x.tenant_id AND o.transaction_id = x.transaction_id
    ORDER BY o.tenant_id, o.customer_id`;
  return rows.map((r) => ({ tenantId: r.tenant_id, customerId: r.customer_id }));
}
