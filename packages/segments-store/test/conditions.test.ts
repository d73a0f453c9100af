import { type SegmentCondition, SegmentDefinition } from "@regulars/contracts";
import { testAnalytics, testDb, testTenant } from "@regulars/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { evaluateSegment, previewSegment } from "../src/index.ts";
import { buildWorld } from "./world.ts";

const db = testDb();
let analytics: Awaited<ReturnType<typeof testAnalytics>>;
let tenantId: string;
let people: Awaited<ReturnType<typeof buildWorld>>;
const timezone = "Europe/Warsaw";
const now = new Date(Date.now() - 60_000);

beforeAll(async () => {
  analytics = await testAnalytics();
  ({ tenantId } = await testTenant(db, "Segments", timezone));
  people = await buildWorld(db, analytics, { tenantId, timezone }, now);
});
afterAll(async () => {
  await analytics?.dispose();
  await db.$disconnect();
});

type Name = keyof typeof people;
const names = (ids: string[]) => (Object.keys(people) as Name[]).filter((n) => ids.includes(people[n])).sort();

async function members(definition: unknown): Promise<Name[]> {
  const parsed = SegmentDefinition.parse(definition);
  return names(
    await evaluateSegment(analytics, { kind: "definition", definition: parsed }, { tenantId, timezone, now }),
  );
}
const one = (condition: Record<string, unknown>) => members({ all: [condition as SegmentCondition] });

describe("every condition against known data", () => {
  it("orders_count: sales only, a redelivered sale counted once, customers without orders counted in below 1", async () => {
    expect(await one({ type: "orders_count", window: "30d", op: "gte", value: 2 })).toEqual(["alice", "dave"]);
    expect(await one({ type: "orders_count", window: "30d", op: "eq", value: 3 })).toEqual(["alice"]);
    expect(await one({ type: "orders_count", window: "30d", op: "lt", value: 1 })).toEqual(["bob", "carol"]);
    expect(await one({ type: "orders_count", window: "365d", op: "gte", value: 1 })).toEqual([
      "alice",
      "bob",
      "dave",
      "erin",
    ]);
  });

  it("order_value: sales net of refunds in the window, the duplicate not added", async () => {
    expect(await one({ type: "order_value", window: "30d", op: "gte", value: 1500 })).toEqual(["alice", "dave"]);
    expect(await one({ type: "order_value", window: "30d", op: "eq", value: 5500 })).toEqual(["alice"]);
    expect(await one({ type: "order_value", window: { lastDays: 7 }, op: "eq", value: 1500 })).toEqual(["dave"]);
    expect(await one({ type: "order_value", window: "lifetime", op: "eq", value: 1800 })).toEqual(["erin"]);
  });

  it("average_ticket: lifetime value / orders, floored", async () => {
    expect(await one({ type: "average_ticket", op: "gt", value: 1000 })).toEqual(["alice", "bob"]);
    expect(await one({ type: "average_ticket", op: "eq", value: 1833 })).toEqual(["alice"]);
    expect(await one({ type: "average_ticket", op: "eq", value: 0 })).toEqual(["carol"]);
  });

  it("last_order: inactive N days, optionally with those who never ordered; ordered recently", async () => {
    expect(await one({ type: "last_order", op: "more_than_days_ago", days: 30 })).toEqual(["bob"]);
    expect(await one({ type: "last_order", op: "more_than_days_ago", days: 30, includeNeverOrdered: true })).toEqual([
      "bob",
      "carol",
    ]);
    expect(await one({ type: "last_order", op: "less_than_days_ago", days: 4 })).toEqual(["dave"]);
  });

  it("tag_affinity: lifetime share of sale quantity, 4 decimals", async () => {
    expect(await one({ type: "tag_affinity", tag: "vegetarian", op: "gte", value: 0.5 })).toEqual(["alice", "erin"]);
    expect(await one({ type: "tag_affinity", tag: "vegetarian", op: "eq", value: 0.3333 })).toEqual(["dave"]);
    expect(await one({ type: "tag_affinity", tag: "vegetarian", op: "lt", value: 0.1 })).toEqual(["bob", "carol"]);
  });

  it("bought: a tag, SKU or category in the window", async () => {
    expect(await one({ type: "bought", by: "sku", values: ["WRAP", "NOPE"], window: "7d" })).toEqual(["dave"]);
    expect(await one({ type: "bought", by: "category", values: ["drinks"], window: "lifetime" })).toEqual(["alice"]);
    expect(await one({ type: "bought", by: "tag", values: ["meat"], window: "90d" })).toEqual([
      "alice",
      "dave",
      "erin",
    ]);
  });

  it("visited_locations: sales at any of the locations in the window", async () => {
    expect(await one({ type: "visited_locations", locationIds: ["loc_2"], window: "30d" })).toEqual(["dave"]);
    expect(await one({ type: "visited_locations", locationIds: ["loc_2"], window: "lifetime" })).toEqual([
      "bob",
      "dave",
    ]);
    expect(
      await one({ type: "visited_locations", locationIds: ["loc_1"], window: "30d", op: "gte", value: 3 }),
    ).toEqual(["alice"]);
  });

  it("event_count: behavioural and loyalty events of a type in the window", async () => {
    const opens = { type: "event_count", source: "behavioural", eventType: "app_open" };
    expect(await one({ ...opens, window: "7d", op: "gte", value: 2 })).toEqual(["alice"]);
    expect(await one({ ...opens, window: "30d", op: "gte", value: 1 })).toEqual(["alice", "dave"]);
    expect(
      await one({
        type: "event_count",
        source: "loyalty",
        eventType: "points.earned",
        window: "7d",
        op: "gte",
        value: 1,
      }),
    ).toEqual(["alice"]);
  });

  it("tier_in, consent_granted (the latest choice), has_field", async () => {
    expect(await one({ type: "tier_in", tiers: ["gold", "silver"] })).toEqual(["alice", "bob"]);
    expect(await one({ type: "consent_granted", channel: "push", purpose: "marketing" })).toEqual(["alice"]);
    expect(await one({ type: "has_field", field: "phone" })).toEqual(["bob"]);
    expect(await one({ type: "has_field", field: "email", present: false })).toEqual(["bob", "carol", "dave", "erin"]);
    expect(await one({ type: "has_field", field: "date_of_birth" })).toEqual(["alice", "dave"]);
  });

  it("birthday_within and registered_within", async () => {
    expect(await one({ type: "birthday_within", days: 7 })).toEqual(["alice"]);
    expect(await one({ type: "birthday_within", days: 10 })).toEqual(["alice", "dave"]);
    expect(await one({ type: "registered_within", days: 7 })).toEqual(["alice"]);
  });
});

describe("groups", () => {
  it("nests AND and OR", async () => {
    expect(
      await members({
        any: [
          {
            all: [
              { type: "tier_in", tiers: ["gold"] },
              { type: "orders_count", window: "30d", op: "gte", value: 2 },
            ],
          },
          {
            all: [
              { type: "has_field", field: "phone" },
              { type: "last_order", op: "more_than_days_ago", days: 30 },
            ],
          },
          {
            all: [
              { type: "tier_in", tiers: ["gold"] },
              { type: "has_field", field: "phone" },
            ],
          },
        ],
      }),
    ).toEqual(["alice", "bob"]);
  });

  it("scenario 5: vegetarian affinity ≥ 30% and ≥ 2 orders in 30 days", async () => {
    const definition = {
      all: [
        { type: "tag_affinity", tag: "vegetarian", op: "gte", value: 0.3 },
        { type: "orders_count", window: "30d", op: "gte", value: 2 },
      ],
    };
    expect(await members(definition)).toEqual(["alice", "dave"]);
    const preview = await previewSegment(
      { db, analytics },
      tenantId,
      { kind: "definition", definition: SegmentDefinition.parse(definition) },
      now,
      1,
    );
    expect(preview.members).toBe(2);
    expect(preview.sample).toHaveLength(1);
    expect([people.alice, people.dave].sort()[0]).toBe(preview.sample[0]!.customerId);
  });
});
