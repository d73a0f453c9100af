import { insertCustomerSnapshots } from "@regulars/analytics";
import type { TransactionProcessed } from "@regulars/contracts";
import type { Db } from "@regulars/db";
import { evaluateSegment, readCustomerSnapshots } from "@regulars/segments-store";
import { testAnalytics, testDb, testTenant } from "@regulars/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { writeProfileOrdersBatch } from "../src/profiles/write-profile-orders.ts";
import { CustomerSnapshotMessage, writeCustomerSnapshotsBatch } from "../src/segments/write-customer-snapshots.ts";

// Segments' tag affinity reads the lifetime sale totals on the customer's ClickHouse row. The profile writer
// records a sale and then writes the customer's snapshot, so the totals follow every sale: counted once however
// often it is delivered, unchanged by refunds, and never overtaken by a snapshot the other writer read earlier.

let db: Db;
let analytics: Awaited<ReturnType<typeof testAnalytics>>;
let tenantId: string;
const timezone = "Europe/Warsaw";
const now = new Date();
let n = 0;

beforeAll(async () => {
  db = testDb();
  analytics = await testAnalytics();
  ({ tenantId } = await testTenant(db, "Sale Totals", timezone));
});
afterAll(async () => {
  await analytics?.dispose();
  await db?.$disconnect();
});

async function newCustomer(): Promise<string> {
  const id = `cus_totals${now.getTime().toString(36)}${++n}`;
  await db.customer.create({ data: { id, tenantId, createdVia: "pos" } });
  return id;
}

const line = (quantity: number, tags: string[]) => ({
  lineNo: 0,
  sku: "S",
  name: "S",
  category: null,
  tags,
  quantity,
  unitPrice: 100,
  discount: 0,
  amount: 100 * quantity,
});

function processed(
  customerId: string,
  kind: "sale" | "refund",
  lines: ReturnType<typeof line>[],
): TransactionProcessed {
  const id = `tx_totals_${now.getTime()}_${++n}`;
  return {
    type: "transaction.processed",
    id: `processed:${id}`,
    tenantId,
    transactionId: id,
    externalId: id,
    kind,
    refundOf: null,
    occurredAt: new Date(now.getTime() - n * 60_000).toISOString(),
    locationId: "store-1",
    channel: "pos",
    customerId,
    currency: "EUR",
    total: 100,
    discountTotal: 0,
    points: 0,
    lines: lines.map((l, i) => ({ ...l, lineNo: i })),
  };
}

/** What the profile writer does with a batch of delivered events. */
const profileWriter = (events: TransactionProcessed[]) => writeProfileOrdersBatch(db, events, analytics);

/** The customer's row as segments read it: items, vegetarian items, the affinity the condition computes. */
async function totals(customerId: string) {
  const result = await analytics.client.query({
    query: `SELECT item_count, tag_quantities['vegetarian'] AS veg,
        round(if(item_count = 0, 0, tag_quantities['vegetarian'] / item_count), 4) AS affinity
      FROM ${analytics.database}.customers FINAL WHERE tenant_id = {t:String} AND customer_id = {c:String}`,
    query_params: { t: tenantId, c: customerId },
    format: "JSONEachRow",
  });
  const [row] = await result.json<{ item_count: string; veg: string; affinity: number }>();
  return row ? { items: Number(row.item_count), veg: Number(row.veg), affinity: row.affinity } : null;
}

/** Whether the customer is in "vegetarian affinity ≥ `share`", compiled and run as segments do. */
async function vegetarianAtLeast(customerId: string, share: number): Promise<boolean> {
  const members = await evaluateSegment(
    analytics,
    { kind: "definition", definition: { all: [{ type: "tag_affinity", tag: "vegetarian", op: "gte", value: share }] } },
    { tenantId, timezone, now: new Date(Date.now() + 60_000) },
  );
  return members.includes(customerId);
}

describe("a customer's sale totals on their ClickHouse row", () => {
  it("follow each sale, count a redelivered sale once and stay as they were after a refund", async () => {
    const customer = await newCustomer();
    const first = processed(customer, "sale", [line(1, ["vegetarian", "vegetarian"]), line(1, ["meat"])]);
    await profileWriter([first]);
    expect(await totals(customer)).toEqual({ items: 2, veg: 1, affinity: 0.5 });
    expect(await vegetarianAtLeast(customer, 0.5)).toBe(true);

    await profileWriter([first, processed(customer, "sale", [line(2, ["meat"])])]);
    expect(await totals(customer)).toEqual({ items: 4, veg: 1, affinity: 0.25 });
    expect(await vegetarianAtLeast(customer, 0.3)).toBe(false);

    // A refund returns money, not the taste the purchase showed (the behavioural profile's definition).
    await profileWriter([processed(customer, "refund", [line(2, ["meat"])])]);
    expect(await totals(customer)).toEqual({ items: 4, veg: 1, affinity: 0.25 });
  });

  it("are 0 for a customer without items (none bought, or a sale without lines): affinity 0", async () => {
    const customer = await newCustomer();
    await writeCustomerSnapshotsBatch(db, analytics, [
      CustomerSnapshotMessage.parse({ type: "customer.created", tenantId, customerId: customer }),
    ]);
    expect(await totals(customer)).toEqual({ items: 0, veg: 0, affinity: 0 });
    await profileWriter([processed(customer, "sale", [])]);
    expect(await totals(customer)).toEqual({ items: 0, veg: 0, affinity: 0 });
    expect(await vegetarianAtLeast(customer, 0)).toBe(true);
    expect(await vegetarianAtLeast(customer, 0.0001)).toBe(false);
  });

  it("go to the survivor for a sale that names a customer merged into another (the profile fact's owner)", async () => {
    const [till, app] = [await newCustomer(), await newCustomer()];
    await db.$executeRaw`
      INSERT INTO customer_merges (merged_id, tenant_id, into_id) VALUES (${till}, ${tenantId}, ${app})`;
    await profileWriter([processed(till, "sale", [line(1, ["vegetarian"])])]);
    expect(await totals(app)).toEqual({ items: 1, veg: 1, affinity: 1 });
    expect(await totals(till)).toBeNull();
  });

  it("include the sale when the snapshot writer wrote the customer first, from a read before the sale's commit", async () => {
    const customer = await newCustomer();
    const sale = processed(customer, "sale", [line(3, ["vegetarian"])]);
    // The snapshot writer sees the sale first: the customer's first fact, no profile fact recorded yet.
    await writeCustomerSnapshotsBatch(db, analytics, [CustomerSnapshotMessage.parse(sale)]);
    expect(await totals(customer)).toEqual({ items: 0, veg: 0, affinity: 0 });
    // It reads the customer again before the next sale is committed, and its insert lands after the profile
    // writer's: the later read of Postgres wins, whatever order the inserts arrive in.
    const stale = await readCustomerSnapshots(db, [{ tenantId, customerId: customer }]);
    await profileWriter([sale, processed(customer, "sale", [line(1, ["meat"])])]);
    await insertCustomerSnapshots(analytics, stale);
    expect(await totals(customer)).toEqual({ items: 4, veg: 3, affinity: 0.75 });
    expect(await vegetarianAtLeast(customer, 0.75)).toBe(true);
  });
});
