import type { Analytics } from "@regulars/analytics";
import type { Db } from "@regulars/db";
import { newId } from "@regulars/ids";
import { demoMenu } from "@regulars/tenancy";
import { generateCustomer } from "./customer.ts";
import { generateHistory } from "./history.ts";
import type { DemoShape } from "./shape.ts";
import { countCustomers, insertDemoCustomers } from "./write-postgres.ts";

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

/** The tenant's UTC offset at `now`, in minutes east of UTC (for local dayparts). */
export function utcOffsetMinutes(timezone: string, now: Date): number {
  const local = new Date(now.toLocaleString("en-US", { timeZone: timezone }));
  const utc = new Date(now.toLocaleString("en-US", { timeZone: "UTC" }));
  return Math.round((local.getTime() - utc.getTime()) / 60_000);
}

/**
 * Generates demo customers with their history and writes them straight into the stores: customers,
 * identities, app profiles and consents into Postgres; sales, refunds, lines and app events into ClickHouse.
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
  for (let offset = 0; offset < opts.customers; offset += batchSize) {
    const size = Math.min(batchSize, opts.customers - offset);
    const batch = Array.from({ length: size }, (_, i) => ({
      id: newId("customer"),
      customer: generateCustomer(shape, offset + i),
    }));
    const histories = batch.map((b) => generateHistory(b.customer, b.id, opts.tenantId, shape));
    const transactions = histories.flatMap((h) => h.transactions);
    const events = histories.flatMap((h) => h.events);
    await insertDemoCustomers(opts.db, opts.tenantId, batch);
    await opts.analytics.insertTransactions(transactions.map((t) => ({ ...t, currency: tenant.currency })));
    await opts.analytics.insertEvents(events);
    progress.customers += size;
    progress.transactions += transactions.length;
    progress.lines += transactions.reduce((sum, t) => sum + t.lines.length, 0);
    progress.events += events.length;
    opts.onProgress?.({ ...progress });
  }
  return progress;
}
