/**
 * The event types a tenant can subscribe an endpoint to: the domain events an external platform may follow
 * (`customer.created` for every new customer, app sign-ups and the tills' first sales alike).
 * Left out on purpose: `event.recorded` (behavioural events whose properties may hold personal data the tenant's
 * app sent us) and internal bookkeeping. `message.*` covers the messaging events (sent, delivered, opened,
 * clicked, failed) whatever their exact names.
 */
export const webhookEventTypes = [
  "customer.created",
  "customer.updated",
  "customer.erased",
  "consent.changed",
  "transaction.processed",
  "points.earned",
  "points.reversed",
  "points.redeemed",
  "points.expiring",
  "points.expired",
  "points.milestone",
  "tier.changed",
  "stamp_card.completed",
  "coupon.issued",
  "coupon.redeemed",
  "segment.entered",
  "segment.left",
] as const;

/** Groups whose every member is deliverable, even members named later (`message.opened`, ...). */
export const openEventGroups = ["message"] as const;

/** Sent by the admin's "test" button; delivered whatever the endpoint subscribes to. */
export const pingEventType = "webhook.ping";

const typePattern = /^[a-z][a-z_]*(\.[a-z][a-z_]*)+$/;
const groupOf = (type: string) => type.slice(0, type.indexOf("."));

/** Whether an event of this type may leave the platform at all. */
export function isDeliverableType(type: string): boolean {
  if (!typePattern.test(type)) return false;
  return (
    (webhookEventTypes as readonly string[]).includes(type) ||
    (openEventGroups as readonly string[]).includes(groupOf(type))
  );
}

/**
 * Why a subscription pattern is refused, or null when it is fine: an exact deliverable type, a group wildcard
 * (`points.*`) whose group has deliverable types, or `*` for everything deliverable.
 */
export function subscriptionProblem(pattern: string): string | null {
  if (pattern === "*") return null;
  if (pattern.endsWith(".*")) {
    const group = pattern.slice(0, -2);
    const known =
      (openEventGroups as readonly string[]).includes(group) ||
      webhookEventTypes.some((type) => groupOf(type) === group);
    return known ? null : `no event types start with "${group}."`;
  }
  return isDeliverableType(pattern) ? null : `"${pattern}" is not an event type an endpoint can subscribe to`;
}

/** Whether an endpoint subscribed to `patterns` receives an event of `type` (deliverable types only). */
export function subscribes(patterns: readonly string[], type: string): boolean {
  if (!isDeliverableType(type)) return false;
  return patterns.some((p) => p === "*" || p === type || (p.endsWith(".*") && type.startsWith(p.slice(0, -1))));
}
