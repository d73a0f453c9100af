import { isSegmentGroup, type SegmentCondition, SegmentDefinition, type SegmentNode } from "@regulars/contracts";

/**
 * Whether a condition evaluates the customer's behaviour: profiling in the GDPR's sense (art. 4(4): evaluating
 * personal aspects such as preferences, behaviour, location). Purchases, spend, visits, locations, what was bought
 * and its tags, and events counted over a window are. A tier is the programme's own status, told to the customer
 * and worked out by the published rules, not an evaluation of them; a consent, a field present or missing, a
 * birthday and the sign-up date are facts the customer gave, not derived from what they do. Loyalty events count as
 * behaviour: counted over a window they measure how the customer acts (points earned, coupons redeemed). A switch
 * with no default, so a new kind of condition does not compile until it is classified here.
 */
export function conditionUsesBehaviour(condition: SegmentCondition): boolean {
  switch (condition.type) {
    case "orders_count":
    case "order_value":
    case "average_ticket":
    case "last_order":
    case "tag_affinity":
    case "bought":
    case "visited_locations":
    case "event_count":
      return true;
    case "tier_in":
    case "consent_granted":
    case "birthday_within":
    case "has_field":
    case "registered_within":
      return false;
  }
}

/**
 * Whether a segment's definition uses behavioural data anywhere in its groups: choosing its members is then
 * profiling, whatever the other conditions, and so is excluding by behaviour (`orders_count lt 1` reads orders).
 */
export function definitionUsesBehaviour(node: SegmentNode): boolean {
  if (!isSegmentGroup(node)) return conditionUsesBehaviour(node);
  const children = "all" in node ? node.all : node.any;
  return children.some(definitionUsesBehaviour);
}

/**
 * The same answer for a segment as saved (`segments.kind` and `definition`, read loosely by the campaign runner and
 * the sender). Raw SQL always counts as profiling: what it reads is not known. So does a segment that is gone or
 * whose definition cannot be read: consent is asked for what may have happened, not only for what is proven.
 */
export function savedSegmentUsesBehaviour(saved: { kind: string; definition: unknown } | null | undefined): boolean {
  if (saved?.kind !== "definition") return true;
  const definition = SegmentDefinition.safeParse(saved.definition);
  return !definition.success || definitionUsesBehaviour(definition.data);
}
