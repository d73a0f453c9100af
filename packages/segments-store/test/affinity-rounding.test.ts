import { SegmentDefinition } from "@regulars/contracts";
import { lineQuantities, tagAffinities } from "@regulars/profiles";
import { testAnalytics, testDb, testTenant } from "@regulars/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { evaluateSegment } from "../src/index.ts";
import { addCustomer, fact, type Line, recordFacts } from "./fixtures.ts";

// A segment's tag affinity is the number the customer's profile shows: an analyst who reads 0.0313 there and asks
// for `gte 0.0313` gets that customer. Ties are where the two could part (half up against half to even, a float
// quotient just below the tie), so each case here is one.

const db = testDb();
let analytics: Awaited<ReturnType<typeof testAnalytics>>;
let tenantId: string;
const timezone = "Europe/Warsaw";
const now = new Date(Date.now() - 60_000);

/** [vegetarian items, all items] of one customer's single sale. */
const cases: [number, number][] = [
  [1, 32],
  [3, 32],
  [5, 32],
  [1, 160],
  [57, 800],
  [201, 800],
  [1, 3],
  [2, 2],
];
const customers: { tagged: number; items: number; id: string; lines: Line[] }[] = [];

beforeAll(async () => {
  analytics = await testAnalytics();
  ({ tenantId } = await testTenant(db, "Affinity ties", timezone));
  const tenant = { tenantId, timezone };
  for (const [tagged, items] of cases) {
    const lines: Line[] = [{ tags: ["vegetarian"], quantity: tagged }];
    if (items > tagged) lines.push({ quantity: items - tagged });
    customers.push({ tagged, items, id: await addCustomer(db, analytics, tenant, now), lines });
  }
  await recordFacts(
    db,
    analytics,
    customers.map((c) => fact(tenantId, c.id, now, { daysAgo: 3, total: 100, lines: c.lines })),
  );
}, 120_000);
afterAll(async () => {
  await analytics?.dispose();
  await db.$disconnect();
});

/** The vegetarian share the customer's profile shows for the same lines. */
function profileShare(lines: Line[]): number {
  const counted = lineQuantities(lines.map((l) => ({ quantity: l.quantity, tags: l.tags ?? [] })));
  const fact = {
    transactionId: "t",
    kind: "sale" as const,
    occurredAt: new Date(now.getTime() - 1000),
    value: 100,
    locationId: "loc_1",
    channel: "pos",
    daypart: "lunch" as const,
    ...counted,
  };
  return tagAffinities([fact], now).find((a) => a.tag === "vegetarian")?.share ?? 0;
}

async function members(op: "eq" | "gte" | "lt", value: number): Promise<string[]> {
  const definition = SegmentDefinition.parse({ all: [{ type: "tag_affinity", tag: "vegetarian", op, value }] });
  return evaluateSegment(analytics, { kind: "definition", definition }, { tenantId, timezone, now });
}

describe("tag affinity ties", () => {
  it("the profile shows 0.0313 for 1 vegetarian item in 32, and `gte 0.0313` selects that customer", async () => {
    const oneIn32 = customers[0]!;
    expect(profileShare(oneIn32.lines)).toBe(0.0313);
    expect(await members("gte", 0.0313)).toContain(oneIn32.id);
  });

  it("at every tie the segment's share is exactly the profile's", async () => {
    for (const c of customers) {
      const share = profileShare(c.lines);
      const at = `${c.tagged}/${c.items} (profile ${share})`;
      expect(await members("eq", share), at).toContain(c.id);
      expect(await members("lt", share), at).not.toContain(c.id);
    }
  });
});
