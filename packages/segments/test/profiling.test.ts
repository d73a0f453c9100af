import { SegmentCondition, SegmentDefinition } from "@regulars/contracts";
import { describe, expect, it } from "vitest";
import { conditionUsesBehaviour, definitionUsesBehaviour, savedSegmentUsesBehaviour } from "../src/index.ts";

const condition = (input: unknown) => SegmentCondition.parse(input);
const definition = (input: unknown) => SegmentDefinition.parse(input);

// One row per kind of condition (both event sources), with whether choosing by it is profiling.
const kinds: [string, unknown, boolean][] = [
  ["orders_count", { type: "orders_count", window: "30d", op: "gte", value: 2 }, true],
  ["order_value", { type: "order_value", window: "lifetime", op: "gt", value: 10_000 }, true],
  ["average_ticket", { type: "average_ticket", op: "lte", value: 500 }, true],
  ["last_order", { type: "last_order", op: "more_than_days_ago", days: 30, includeNeverOrdered: true }, true],
  ["tag_affinity", { type: "tag_affinity", tag: "vegetarian", op: "gte", value: 0.3 }, true],
  ["bought", { type: "bought", by: "category", values: ["burgers"], window: "90d" }, true],
  ["visited_locations", { type: "visited_locations", locationIds: ["loc_a"], window: "365d" }, true],
  [
    "event_count (behavioural)",
    { type: "event_count", source: "behavioural", eventType: "app_open", window: "7d", op: "gte", value: 1 },
    true,
  ],
  [
    "event_count (loyalty)",
    { type: "event_count", source: "loyalty", eventType: "coupon.redeemed", window: "30d", op: "gte", value: 1 },
    true,
  ],
  ["tier_in", { type: "tier_in", tiers: ["gold"] }, false],
  ["consent_granted", { type: "consent_granted", channel: "email", purpose: "marketing" }, false],
  ["birthday_within", { type: "birthday_within", days: 7 }, false],
  ["has_field", { type: "has_field", field: "date_of_birth", present: false }, false],
  ["registered_within", { type: "registered_within", days: 14 }, false],
];

describe("conditionUsesBehaviour", () => {
  it.each(kinds)("%s", (_, input, profiles) => {
    expect(conditionUsesBehaviour(condition(input))).toBe(profiles);
  });

  it("classifies every kind of condition the contract knows", () => {
    const classified = new Set(kinds.map(([, input]) => (input as { type: string }).type));
    expect([...classified].sort()).toEqual([...SegmentCondition.options.map((o) => o.shape.type.value)].sort());
  });
});

describe("definitionUsesBehaviour", () => {
  it("is false for a segment of attributes alone (scenario 4: customers without a date of birth)", () => {
    expect(
      definitionUsesBehaviour(definition({ all: [{ type: "has_field", field: "date_of_birth", present: false }] })),
    ).toBe(false);
    const attributes = {
      any: [
        { type: "tier_in", tiers: ["gold"] },
        {
          all: [
            { type: "consent_granted", channel: "email", purpose: "marketing" },
            { type: "birthday_within", days: 3 },
          ],
        },
      ],
    };
    expect(definitionUsesBehaviour(definition(attributes))).toBe(false);
  });

  it("is true when any condition at any depth reads behaviour, whether it selects or excludes", () => {
    const nested = {
      all: [
        { type: "tier_in", tiers: ["gold"] },
        {
          any: [
            { type: "has_field", field: "email" },
            { all: [{ type: "orders_count", window: "lifetime", op: "lt", value: 1 }] },
          ],
        },
      ],
    };
    expect(definitionUsesBehaviour(definition(nested))).toBe(true);
    const scenario5 = {
      all: [
        { type: "tag_affinity", tag: "vegetarian", op: "gte", value: 0.3 },
        { type: "orders_count", window: "30d", op: "gte", value: 2 },
      ],
    };
    expect(definitionUsesBehaviour(definition(scenario5))).toBe(true);
  });
});

describe("savedSegmentUsesBehaviour", () => {
  const noDateOfBirth = { all: [{ type: "has_field", field: "date_of_birth", present: false }] };

  it("reads a saved definition as the definition", () => {
    expect(savedSegmentUsesBehaviour({ kind: "definition", definition: noDateOfBirth })).toBe(false);
    expect(savedSegmentUsesBehaviour({ kind: "definition", definition: { all: [kinds[0]![1]] } })).toBe(true);
  });

  it("counts raw SQL, a missing segment and an unreadable definition as profiling", () => {
    expect(savedSegmentUsesBehaviour({ kind: "sql", definition: null })).toBe(true);
    expect(savedSegmentUsesBehaviour({ kind: "sql", definition: noDateOfBirth })).toBe(true);
    expect(savedSegmentUsesBehaviour(undefined)).toBe(true);
    expect(savedSegmentUsesBehaviour(null)).toBe(true);
    expect(
      savedSegmentUsesBehaviour({ kind: "definition", definition: { all: [{ type: "mood", is: "hungry" }] } }),
    ).toBe(true);
  });
});
