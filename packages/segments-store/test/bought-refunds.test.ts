import type { TransactionFact } from "@regulars/analytics";
import { insertVoidedTransactions } from "@regulars/analytics";
import { SegmentDefinition } from "@regulars/contracts";
import { testAnalytics, testDb, testTenant } from "@regulars/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { evaluateSegment } from "../src/index.ts";
import { addCustomer, fact, type Line, recordFacts } from "./fixtures.ts";

// "Bought X" targets who kept X: a customer whose burger was refunded did not buy a burger. A sale its refunds voided
// counts for no product (as for no order); a partial refund takes back the products whose money it gave back in full
// and leaves the rest of the sale counted.

const db = testDb();
let analytics: Awaited<ReturnType<typeof testAnalytics>>;
let tenantId: string;
const timezone = "Europe/Warsaw";
const now = new Date(Date.now() - 60_000);
const people: Record<string, string> = {};

const burger = (quantity: number): Line => ({ sku: "BURGER", category: "mains", tags: ["meat"], quantity });
const fries = (quantity: number): Line => ({ sku: "FRIES", category: "sides", tags: ["vegetarian"], quantity });

/** A refund of `sale`, as the ledger publishes it: its own id, the sale's external id in refundOf. */
const refundOf = (sale: TransactionFact, daysAgo: number, lines: Line[]): TransactionFact => {
  const refund = fact(tenantId, sale.customerId!, now, { daysAgo, total: 0, kind: "refund", lines });
  return { ...refund, refundOf: sale.externalId, total: refund.lines.reduce((sum, l) => sum + l.amount, 0) };
};

/** A sale paid wholly with points: every line discounted to 0, total 0. */
const paidWithPoints = (sale: TransactionFact): TransactionFact => ({
  ...sale,
  total: 0,
  lines: sale.lines.map((l) => ({ ...l, discount: l.unitPrice * l.quantity, amount: 0 })),
});

beforeAll(async () => {
  analytics = await testAnalytics();
  ({ tenantId } = await testTenant(db, "Bought and refunded", timezone));
  const tenant = { tenantId, timezone };
  for (const name of ["voided", "lineBack", "halfBack", "pointsVoided", "kept"]) {
    people[name] = await addCustomer(db, analytics, tenant, now);
  }
  const sale = (name: string, lines: Line[]) =>
    fact(tenantId, people[name]!, now, {
      daysAgo: 10,
      total: lines.reduce((sum, l) => sum + 100 * l.quantity, 0),
      lines,
    });

  const voided = sale("voided", [burger(1)]);
  const voidedRefund = refundOf(voided, 2, [burger(1)]);
  const lineBack = sale("lineBack", [burger(1), fries(1)]);
  const halfBack = sale("halfBack", [burger(2)]);
  const halfRefund = refundOf(halfBack, 2, [burger(1)]);
  const pointsVoided = paidWithPoints(sale("pointsVoided", [burger(1)]));
  const pointsRefund = { ...refundOf(pointsVoided, 2, [burger(1)]), total: 0 };
  pointsRefund.lines = pointsRefund.lines.map((l) => ({ ...l, discount: l.unitPrice * l.quantity, amount: 0 }));
  await recordFacts(db, analytics, [
    voided,
    voidedRefund,
    lineBack,
    refundOf(lineBack, 2, [burger(1)]),
    halfBack,
    halfRefund,
    pointsVoided,
    pointsRefund,
    sale("kept", [burger(1)]),
  ]);
  // A redelivered refund: the same lines again, which must not add up to the whole burger line.
  await recordFacts(db, analytics, [halfRefund]);
  // What the profile writer records once it judges the sales void (all money back; every line named, for points).
  await insertVoidedTransactions(
    analytics,
    [voided, voidedRefund, pointsVoided, pointsRefund].map((t) => ({ tenantId, transactionId: t.transactionId })),
  );
}, 120_000);
afterAll(async () => {
  await analytics?.dispose();
  await db.$disconnect();
});

async function bought(by: "sku" | "tag" | "category", values: string[], window = "30d"): Promise<string[]> {
  const definition = SegmentDefinition.parse({ all: [{ type: "bought", by, values, window }] });
  const ids = await evaluateSegment(analytics, { kind: "definition", definition }, { tenantId, timezone, now });
  return Object.keys(people)
    .filter((name) => ids.includes(people[name]!))
    .sort();
}

describe("bought: refunded products are not bought", () => {
  it("a sale refunded in full (voided) counts for no product, by SKU, tag or category, in any window", async () => {
    expect(await bought("sku", ["BURGER"])).toEqual(["halfBack", "kept"]);
    expect(await bought("tag", ["meat"], "lifetime")).toEqual(["halfBack", "kept"]);
    expect(await bought("category", ["mains"], "90d")).toEqual(["halfBack", "kept"]);
  });

  it("a refund of one line of two takes back that product and leaves the other counted", async () => {
    expect(await bought("sku", ["FRIES"])).toEqual(["lineBack"]);
    expect(await bought("tag", ["vegetarian"])).toEqual(["lineBack"]);
    expect(await bought("sku", ["BURGER", "FRIES"])).toEqual(["halfBack", "kept", "lineBack"]);
  });

  it("a refund of part of a line's money leaves the product bought, even delivered twice", async () => {
    expect(await bought("sku", ["BURGER"], "lifetime")).toContain("halfBack");
  });
});
