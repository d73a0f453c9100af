import { z } from "zod";
import { ConsentChannel, ConsentPurpose } from "./customer-profile.ts";

/**
 * A segment's definition: AND/OR groups of conditions over a customer's facts (orders, lines, events, loyalty
 * events in ClickHouse) and attributes (tier, consents, birthday, fields, registration). Compiled to
 * parameterised ClickHouse SQL by @regulars/segments; windows and aggregates follow docs' profile definitions
 * (an order is a processed sale; order value is sales net of refunds by each transaction's own time).
 */

/** Nesting and size limits: a definition an admin builds in a form stays well inside them. */
export const segmentLimits = { maxDepth: 4, maxConditions: 30, maxListItems: 100 } as const;

const maxDays = 3_660;

export const SegmentWindow = z
  .union([
    z.enum(["7d", "30d", "90d", "365d", "lifetime"]),
    z.strictObject({
      lastDays: z.number().int().min(1).max(maxDays).meta({ description: "The last N days up to now." }),
    }),
  ])
  .meta({
    id: "SegmentWindow",
    description: "A time window ending now: 7, 30, 90 or 365 days, lifetime, or `{ lastDays: N }`.",
  });
export type SegmentWindow = z.infer<typeof SegmentWindow>;

export const ComparisonOp = z
  .enum(["gt", "gte", "lt", "lte", "eq", "neq"])
  .meta({ id: "SegmentComparisonOp", description: "How the customer's figure compares with `value`." });
export type ComparisonOp = z.infer<typeof ComparisonOp>;

const count = z.number().int().min(0).max(1_000_000_000);
const money = z
  .number()
  .int()
  .min(-1_000_000_000_000)
  .max(1_000_000_000_000)
  .meta({ description: "Minor units (cents)." });
const days = z.number().int().min(1).max(maxDays);
const name = z
  .string()
  .min(1)
  .max(200)
  .regex(/^[^\p{Cc}]*$/u, "must not contain control characters");
const names = z.array(name).min(1).max(segmentLimits.maxListItems);

const OrdersCount = z
  .strictObject({ type: z.literal("orders_count"), window: SegmentWindow, op: ComparisonOp, value: count })
  .meta({ description: "Number of orders (processed sales with the customer) in the window." });
const OrderValue = z
  .strictObject({ type: z.literal("order_value"), window: SegmentWindow, op: ComparisonOp, value: money })
  .meta({ description: "Sales minus refunds in the window, each by its own time, in minor units." });
const AverageTicket = z
  .strictObject({ type: z.literal("average_ticket"), op: ComparisonOp, value: money })
  .meta({ description: "Lifetime order value / lifetime orders (floor; 0 without orders)." });
const LastOrder = z
  .strictObject({
    type: z.literal("last_order"),
    op: z.enum(["more_than_days_ago", "less_than_days_ago"]),
    days,
    includeNeverOrdered: z
      .boolean()
      .default(false)
      .meta({ description: "With more_than_days_ago: also customers who never ordered." }),
  })
  .meta({ description: "The last order was more (inactive N days) or less than N days ago." });
const TagAffinity = z
  .strictObject({
    type: z.literal("tag_affinity"),
    tag: name,
    op: ComparisonOp,
    value: z.number().min(0).max(1).meta({ description: "A share in [0, 1], e.g. 0.3 for 30%." }),
  })
  .meta({ description: "Lifetime quantity of sale lines carrying the tag / quantity of all sale lines (4 decimals)." });
const Bought = z
  .strictObject({
    type: z.literal("bought"),
    by: z.enum(["tag", "sku", "category"]),
    values: names,
    window: SegmentWindow,
  })
  .meta({
    description:
      "A sale line in the window carried one of the tags, SKUs or categories, and the customer kept it: a voided sale's " +
      "lines and a product whose money the sale's refunds gave back in full do not count.",
  });
const VisitedLocations = z
  .strictObject({
    type: z.literal("visited_locations"),
    locationIds: names,
    window: SegmentWindow,
    op: ComparisonOp.default("gte"),
    value: count.default(1),
  })
  .meta({ description: "Sales at any of the locations in the window, compared with `value` (default: at least 1)." });
const EventCount = z
  .strictObject({
    type: z.literal("event_count"),
    source: z.enum(["behavioural", "loyalty"]).meta({ description: "App/behavioural events or loyalty events." }),
    eventType: name,
    window: SegmentWindow,
    op: ComparisonOp,
    value: count,
  })
  .meta({ description: "Events of one type in the window, compared with `value`." });
const TierIn = z
  .strictObject({ type: z.literal("tier_in"), tiers: names })
  .meta({ description: "The customer's current tier is one of these." });
const ConsentGranted = z
  .strictObject({ type: z.literal("consent_granted"), channel: ConsentChannel, purpose: ConsentPurpose })
  .meta({ description: "The consent in force for the channel and purpose is granted." });
const BirthdayWithin = z
  .strictObject({ type: z.literal("birthday_within"), days: z.number().int().min(0).max(365) })
  .meta({ description: "The birthday falls today or in the next N days (tenant's time zone); 29 Feb on 28 Feb." });
const HasField = z
  .strictObject({
    type: z.literal("has_field"),
    field: z.enum(["email", "phone", "date_of_birth"]),
    present: z.boolean().default(true),
  })
  .meta({ description: "The customer has (or, with present: false, lacks) the field." });
const RegisteredWithin = z
  .strictObject({ type: z.literal("registered_within"), days })
  .meta({ description: "Signed up in the app (else: first known) within the last N days." });

export const SegmentCondition = z
  .discriminatedUnion("type", [
    OrdersCount,
    OrderValue,
    AverageTicket,
    LastOrder,
    TagAffinity,
    Bought,
    VisitedLocations,
    EventCount,
    TierIn,
    ConsentGranted,
    BirthdayWithin,
    HasField,
    RegisteredWithin,
  ])
  .meta({ id: "SegmentCondition", description: "One test of a customer's facts or attributes." });
export type SegmentCondition = z.infer<typeof SegmentCondition>;

export type SegmentGroup = { all: SegmentNode[] } | { any: SegmentNode[] };
export type SegmentNode = SegmentCondition | SegmentGroup;
type SegmentGroupInput = { all: SegmentNodeInput[] } | { any: SegmentNodeInput[] };
type SegmentNodeInput = z.input<typeof SegmentCondition> | SegmentGroupInput;

const nodes = (): z.ZodType<SegmentNode[], SegmentNodeInput[]> =>
  z.array(z.union([SegmentCondition, SegmentGroupSchema])).min(1, "a group needs at least one condition");

const SegmentGroupSchema: z.ZodType<SegmentGroup, SegmentGroupInput> = z.lazy(() =>
  z.union([z.strictObject({ all: nodes() }), z.strictObject({ any: nodes() })]),
);

export const isSegmentGroup = (node: SegmentNode): node is SegmentGroup => "all" in node || "any" in node;
export const groupChildren = (group: SegmentGroup): SegmentNode[] => ("all" in group ? group.all : group.any);

/** Depth of groups (the root is 1) and number of conditions in the tree. */
export function segmentSize(group: SegmentGroup): { depth: number; conditions: number } {
  let depth = 1;
  let conditions = 0;
  for (const child of groupChildren(group)) {
    if (isSegmentGroup(child)) {
      const inner = segmentSize(child);
      depth = Math.max(depth, inner.depth + 1);
      conditions += inner.conditions;
    } else conditions++;
  }
  return { depth, conditions };
}

export const SegmentDefinition = SegmentGroupSchema.superRefine((group, ctx) => {
  const { depth, conditions } = segmentSize(group);
  if (depth > segmentLimits.maxDepth) {
    ctx.addIssue({
      code: "custom",
      message: `groups nest ${depth} deep; at most ${segmentLimits.maxDepth} are allowed`,
    });
  }
  if (conditions > segmentLimits.maxConditions) {
    ctx.addIssue({
      code: "custom",
      message: `the definition has ${conditions} conditions; at most ${segmentLimits.maxConditions} are allowed`,
    });
  }
}).meta({
  id: "SegmentDefinition",
  description:
    "A group: `{ all: [...] }` (every item holds) or `{ any: [...] }` (at least one holds); items are conditions " +
    `or groups, nested at most ${segmentLimits.maxDepth} deep with at most ${segmentLimits.maxConditions} conditions.`,
});
export type SegmentDefinition = SegmentGroup;

const SegmentEventBase = z.object({
  id: z.string(),
  tenantId: z.string(),
  customerId: z.string(),
  segmentId: z.string(),
  /** The refresh that saw the change; with the segment and customer it makes the event's stable id. */
  refresh: z.number().int(),
  occurredAt: z.string(),
});
/** A customer came into a segment at a refresh. */
export const SegmentEntered = SegmentEventBase.extend({ type: z.literal("segment.entered") });
/** A customer left a segment at a refresh. */
export const SegmentLeft = SegmentEventBase.extend({ type: z.literal("segment.left") });
export type SegmentEntered = z.infer<typeof SegmentEntered>;
export type SegmentLeft = z.infer<typeof SegmentLeft>;
