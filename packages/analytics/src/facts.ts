import { toClickHouseDateTime } from "./time.ts";

/** A processed sale or refund as the stream consumer hands it over. Amounts are integer minor units. */
export interface TransactionFact {
  tenantId: string;
  transactionId: string;
  externalId: string;
  type: "sale" | "refund";
  refundOf: string | null;
  occurredAt: string; // ISO 8601 with offset
  locationId: string;
  channel: string;
  customerId: string | null;
  currency: string;
  total: number;
  discountTotal: number;
  points: number;
  /** A sale's coupon uses that counted, or those a refund gave back (migration 0007). */
  couponUses?: { code: string; campaignId: string; discount: number }[];
  lines: {
    lineNo: number;
    sku: string;
    name: string;
    category: string | null;
    tags: string[];
    quantity: number;
    unitPrice: number;
    discount: number;
    amount: number;
  }[];
}

/** A behavioural event (app open, email click, ...); `properties` is free-form per event type. */
export interface BehaviouralEventFact {
  tenantId: string;
  eventId: string;
  type: string;
  occurredAt: string; // ISO 8601 with offset
  customerId: string | null;
  locationId: string | null;
  channel: string | null;
  properties: Record<string, unknown>;
}

// Row shapes match the columns of migrations/0001_init.sql. Nulls become '' because the columns are
// plain String (customer_id is in the sorting key, where Nullable is not allowed). ingested_at is left
// to the column DEFAULT so one clock (the server's) orders redeliveries.

export function toTransactionRow(fact: TransactionFact) {
  return {
    tenant_id: fact.tenantId,
    id: fact.transactionId,
    external_id: fact.externalId,
    type: fact.type,
    refund_of: fact.refundOf ?? "",
    occurred_at: toClickHouseDateTime(fact.occurredAt),
    location_id: fact.locationId,
    channel: fact.channel,
    customer_id: fact.customerId ?? "",
    currency: fact.currency,
    total: fact.total,
    discount_total: fact.discountTotal,
    points: fact.points,
    line_count: fact.lines.length,
    ...itemFigures(fact.lines),
    coupon_codes: (fact.couponUses ?? []).map((u) => u.code),
    coupon_campaign_ids: (fact.couponUses ?? []).map((u) => u.campaignId),
    coupon_discounts: (fact.couponUses ?? []).map((u) => u.discount),
  };
}

/** Items and items per tag (a tag once per line): a customer's tag affinity sums these (migration 0004). */
export function itemFigures(lines: TransactionFact["lines"]): {
  item_count: number;
  tag_quantities: Record<string, number>;
} {
  // A Map, not an object: a tag is any text a till sends, and `constructor` or `__proto__` would read and write
  // the object's prototype (a function's text inserted as a count, the whole insert refused).
  const tagQuantities = new Map<string, number>();
  let items = 0;
  for (const line of lines) {
    items += line.quantity;
    for (const tag of new Set(line.tags)) tagQuantities.set(tag, (tagQuantities.get(tag) ?? 0) + line.quantity);
  }
  return { item_count: items, tag_quantities: Object.fromEntries(tagQuantities) };
}

/** Lines repeat the transaction's customer, time and place so segment queries need no join. */
export function toTransactionLineRows(fact: TransactionFact) {
  const occurredAt = toClickHouseDateTime(fact.occurredAt);
  return fact.lines.map((line) => ({
    tenant_id: fact.tenantId,
    transaction_id: fact.transactionId,
    line_no: line.lineNo,
    type: fact.type,
    occurred_at: occurredAt,
    location_id: fact.locationId,
    customer_id: fact.customerId ?? "",
    sku: line.sku,
    name: line.name,
    category: line.category ?? "",
    tags: line.tags,
    quantity: line.quantity,
    unit_price: line.unitPrice,
    discount: line.discount,
    amount: line.amount,
  }));
}

export function toEventRow(fact: BehaviouralEventFact) {
  return {
    tenant_id: fact.tenantId,
    id: fact.eventId,
    type: fact.type,
    occurred_at: toClickHouseDateTime(fact.occurredAt),
    customer_id: fact.customerId ?? "",
    location_id: fact.locationId ?? "",
    channel: fact.channel ?? "",
    properties: JSON.stringify(fact.properties ?? {}),
  };
}
