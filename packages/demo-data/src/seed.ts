import {
  type Analytics,
  type BehaviouralEventFact,
  type CustomerSnapshotRow,
  insertCustomerSnapshots,
  type TransactionFact,
} from "@regulars/analytics";
import type { TransactionProcessed } from "@regulars/contracts";
import { recordProcessedTransactions } from "@regulars/customers-store";
import type { Db } from "@regulars/db";
import { newId } from "@regulars/ids";
import { readCustomerSnapshots } from "@regulars/segments-store";
import { demoMenu } from "@regulars/tenancy";
import { generateCustomer } from "./customer.ts";
import { generateHistory } from "./history.ts";
import type { DemoShape } from "./shape.ts";
import { countCustomers, insertDemoCustomers } from "./write-postgres.ts";

const FLUSH_AT = 30_000;

export interface SeedOptions {
  db: Db;
  analytics: Analytics;
  tenantId: string;
  customers: number;
  days: number;
  seed?: number;
  now?: Date;
  locations?: number;
  /** Customers generated and written together; memory grows with it. */
  batchSize?: number;
  onProgress?: (progress: SeedProgress) => void;
}

export interface SeedProgress {
  customers: number;
  of: number;
  transactions: number;
  lines: number;
  events: number;
}

/** The domain event the ledger would have published for a seeded fact (for the profile writer's store). */
const processedEvent = (t: TransactionFact): TransactionProcessed => ({
  type: "transaction.processed",
  id: `${t.transactionId}:processed`,
  tenantId: t.tenantId,
  transactionId: t.transactionId,
  externalId: t.externalId,
  kind: t.type,
  refundOf: t.refundOf,
  occurredAt: t.occurredAt,
  locationId: t.locationId,
  channel: t.channel,
  customerId: t.customerId,
  currency: t.currency,
  total: t.total,
  discountTotal: t.discountTotal,
  points: t.points,
  lines: t.lines,
});

/** The tenant's UTC offset at `now`, in minutes east of UTC (for local dayparts). */
export function utcOffsetMinutes(timezone: string, now: Date): number {
  const local = new Date(now.toLocaleString("en-US", { timeZone: timezone }));
  const utc = new Date(now.toLocaleString("en-US", { timeZone: "UTC" }));
  return Math.round((local.getTime() - utc.getTime()) / 60_000);
}

/**
 * Generates demo customers with their history and writes them straight into the stores: customers,
 * identities, app profiles, consents and the behavioural profile's facts into Postgres; the customers' attribute
 * snapshots, sales, refunds, lines and app events into ClickHouse.
 * The ledger is not written: points move only through the pipeline, so seeded customers start at 0 points.
 */
export async function seedDemo(opts: SeedOptions): Promise<SeedProgress> {
  const tenant = await opts.db.tenant.findUnique({ where: { id: opts.tenantId } });
  if (!tenant) throw new Error(`no tenant ${opts.tenantId}`);
  const now = opts.now ?? new Date();
  const shape: DemoShape = {
    customers: opts.customers,
    days: opts.days,
    seed: opts.seed ?? 1,
    now: now.getTime(),
    utcOffsetMinutes: utcOffsetMinutes(tenant.timezone, now),
    locations: opts.locations ?? 20,
    menu: demoMenu,
    firstIndex: await countCustomers(opts.db, opts.tenantId),
  };
  const batchSize = opts.batchSize ?? 2_000;
  const progress: SeedProgress = { customers: 0, of: opts.customers, transactions: 0, lines: 0, events: 0 };
  // ClickHouse likes few large inserts (each insert is split by month): facts wait until there are enough.
  let transactions: TransactionFact[] = [];
  let events: BehaviouralEventFact[] = [];
  let snapshots: CustomerSnapshotRow[] = [];
  // One ClickHouse write runs while the next customers are generated and written to Postgres; it is awaited
  // before the next one starts, so at most one batch of facts waits in memory besides the one being built.
  let writing: Promise<void> = Promise.resolve();
  const flush = async (atLeast: number) => {
    const due = {
      snapshots: snapshots.length >= atLeast / 10 ? snapshots : [],
      transactions: transactions.length >= atLeast ? transactions : [],
      events: events.length >= atLeast ? events : [],
    };
    if (due.snapshots.length) snapshots = [];
    if (due.transactions.length) transactions = [];
    if (due.events.length) events = [];
    await writing;
    writing = (async () => {
      if (due.snapshots.length) await insertCustomerSnapshots(opts.analytics, due.snapshots);
      if (due.transactions.length) await opts.analytics.insertTransactions(due.transactions);
      if (due.events.length) await opts.analytics.insertEvents(due.events);
    })();
    writing.catch(() => undefined); // handled where it is awaited: the next flush, or the end
  };
  for (let offset = 0; offset < opts.customers; offset += batchSize) {
    const size = Math.min(batchSize, opts.customers - offset);
    const batch = Array.from({ length: size }, (_, i) => ({
      id: newId("customer"),
      customer: generateCustomer(shape, offset + i),
    }));
    await insertDemoCustomers(opts.db, opts.tenantId, batch);
    const processed: TransactionProcessed[] = [];
    for (const b of batch) {
      const history = generateHistory(b.customer, b.id, opts.tenantId, shape);
      for (const t of history.transactions) {
        const fact = { ...t, currency: tenant.currency };
        transactions.push(fact);
        processed.push(processedEvent(fact));
        progress.lines += t.lines.length;
      }
      events.push(...history.events);
      progress.transactions += history.transactions.length;
      progress.events += history.events.length;
    }
    // The real-time profile in Postgres, as the profile writer keeps it from the same events.
    await recordProcessedTransactions(opts.db, processed);
    // Segments read customers' attributes from ClickHouse: the same snapshot the live writers take, read after
    // the profile facts so its sale totals (tag affinity) are those of the facts written to ClickHouse.
    snapshots.push(
      ...(await readCustomerSnapshots(
        opts.db,
        batch.map((b) => ({ tenantId: opts.tenantId, customerId: b.id })),
      )),
    );
    await flush(FLUSH_AT);
    progress.customers += size;
    opts.onProgress?.({ ...progress });
  }
  await flush(1);
  await writing;
  return progress;
}
