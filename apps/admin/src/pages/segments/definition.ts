import type { RouterInputs } from "@regulars/web-ui";

/** The definition as the API takes it, and one condition of it. */
export type Definition = NonNullable<RouterInputs["segments"]["preview"]["definition"]>;
type Node = Extract<Definition, { all: unknown }>["all"][number];
export type Condition = Exclude<Node, { all: unknown } | { any: unknown }>;
export type ConditionType = Condition["type"];

/**
 * The builder's tree: the definition's groups and conditions, each with a key of its own so React keeps an
 * edited input focused while siblings come and go (array positions change under it).
 */
export interface UiGroup {
  key: string;
  mode: "all" | "any";
  items: UiNode[];
}
export interface UiCondition {
  key: string;
  condition: Condition;
}
export type UiNode = UiGroup | UiCondition;

export const isGroup = (node: UiNode): node is UiGroup => "items" in node;

let lastKey = 0;
const nextKey = () => `n${++lastKey}`;

/** The condition kinds in the order the builder offers them, each with the values it starts with. */
export const conditionDefaults: { [T in ConditionType]: Extract<Condition, { type: T }> } = {
  orders_count: { type: "orders_count", window: "30d", op: "gte", value: 1 },
  order_value: { type: "order_value", window: "90d", op: "gte", value: 5_000 },
  average_ticket: { type: "average_ticket", op: "gte", value: 2_000 },
  last_order: { type: "last_order", op: "more_than_days_ago", days: 30, includeNeverOrdered: false },
  tag_affinity: { type: "tag_affinity", tag: "", op: "gte", value: 0.3 },
  bought: { type: "bought", by: "sku", values: [], window: "90d" },
  visited_locations: { type: "visited_locations", locationIds: [], window: "90d", op: "gte", value: 1 },
  event_count: { type: "event_count", source: "behavioural", eventType: "", window: "30d", op: "gte", value: 1 },
  tier_in: { type: "tier_in", tiers: [] },
  consent_granted: { type: "consent_granted", channel: "push", purpose: "marketing" },
  birthday_within: { type: "birthday_within", days: 7 },
  has_field: { type: "has_field", field: "email", present: true },
  registered_within: { type: "registered_within", days: 30 },
};
export const conditionTypes = Object.keys(conditionDefaults) as ConditionType[];

export const newCondition = (type: ConditionType): UiCondition => ({
  key: nextKey(),
  condition: structuredClone(conditionDefaults[type]) as Condition,
});
export const newGroup = (mode: UiGroup["mode"] = "all", items: UiNode[] = []): UiGroup => ({
  key: nextKey(),
  mode,
  items,
});

export function fromDefinition(definition: Definition): UiGroup {
  const mode = "all" in definition ? "all" : "any";
  const children = "all" in definition ? definition.all : definition.any;
  return newGroup(
    mode,
    children.map((child) =>
      "all" in child || "any" in child
        ? fromDefinition(child as Definition)
        : { key: nextKey(), condition: child as Condition },
    ),
  );
}

export function toDefinition(group: UiGroup): Definition {
  const items = group.items.map((item) => (isGroup(item) ? toDefinition(item) : item.condition));
  return (group.mode === "all" ? { all: items } : { any: items }) as Definition;
}

/** The tree with the node of `key` replaced (or removed, with `null`). */
export function replaceNode(group: UiGroup, key: string, next: UiNode | null): UiGroup {
  const items: UiNode[] = [];
  for (const item of group.items) {
    if (item.key === key) {
      if (next) items.push(next);
    } else items.push(isGroup(item) ? replaceNode(item, key, next) : item);
  }
  return { ...group, items };
}

/** Whether every condition names what it needs: a half-filled one is not worth a preview. */
export function isComplete(group: UiGroup): boolean {
  if (group.items.length === 0) return false;
  return group.items.every((item) => {
    if (isGroup(item)) return isComplete(item);
    const c = item.condition;
    if (c.type === "tag_affinity") return c.tag.trim() !== "";
    if (c.type === "event_count") return c.eventType.trim() !== "";
    if (c.type === "bought") return c.values.length > 0;
    if (c.type === "visited_locations") return c.locationIds.length > 0;
    if (c.type === "tier_in") return c.tiers.length > 0;
    return true;
  });
}
