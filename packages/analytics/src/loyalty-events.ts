import { LoyaltyEvent } from "@regulars/contracts";
import type { Analytics } from "./analytics.ts";
import { assertIdentifier } from "./config.ts";
import { splitByPartition } from "./partitions.ts";
import { toClickHouseDateTime } from "./time.ts";

/** Where the facts are: an `Analytics`, or the `{ client, database }` an API process is given. */
export type FactsTarget = Pick<Analytics, "client" | "database">;

/** Every domain event type that `loyalty_events` holds: the `LoyaltyEvent` union of the contracts. */
export const loyaltyEventTypes: ReadonlySet<string> = new Set(
  LoyaltyEvent.options.map((option) => option.shape.type.value),
);

/** A row of migrations/0002_loyalty_events.sql (and 0009's columns); `ingested_at` is left to the column default. */
export interface LoyaltyEventRow {
  tenant_id: string;
  id: string;
  type: LoyaltyEvent["type"];
  occurred_at: string;
  customer_id: string;
  points: number;
  balance: number;
  movement_kind: string;
  pending: boolean;
  transaction_id: string;
  tier_from: string;
  tier_to: string;
  tier_applied_at: string;
  tier_applied_index: number;
  campaign_id: string;
  code: string;
  discount: number;
  returned: boolean;
  details: string;
}

const empty = {
  points: 0,
  balance: 0,
  movement_kind: "",
  pending: false,
  transaction_id: "",
  tier_from: "",
  tier_to: "",
  tier_applied_at: "1970-01-01 00:00:00.000000",
  tier_applied_index: 0,
  campaign_id: "",
  code: "",
  discount: 0,
  returned: false,
};

/** The columns a type fills; what has no column of its own stays in `details`. */
function typedColumns(e: LoyaltyEvent): Partial<typeof empty> {
  switch (e.type) {
    case "points.earned":
      return {
        points: e.points,
        balance: e.balance,
        movement_kind: e.movementKind,
        pending: e.pending,
        transaction_id: e.transactionId ?? "",
      };
    case "points.reversed":
      return {
        points: e.points,
        balance: e.balance,
        movement_kind: e.movementKind,
        transaction_id: e.transactionId ?? "",
      };
    case "points.redeemed":
      return { points: e.points, balance: e.balance, transaction_id: e.transactionId ?? "" };
    case "points.expiring":
      return { points: e.points };
    case "points.expired":
      return { points: e.points, balance: e.balance };
    case "points.milestone":
      return { balance: e.balance };
    case "tier.gap":
      // The tier, band and gap stay in `details`.
      return { tier_to: e.tierId, transaction_id: e.transactionId ?? "" };
    case "tier.changed":
      return {
        tier_from: e.from ?? "",
        tier_to: e.to,
        ...(e.appliedAt === undefined
          ? {}
          : { tier_applied_at: toMicrosecondDateTime(e.appliedAt), tier_applied_index: e.appliedIndex ?? 0 }),
      };
    case "stamp_card.completed":
      return { transaction_id: e.transactionId ?? "" };
    case "coupon.issued":
      return { campaign_id: e.campaignId, code: e.code };
    case "coupon.redeemed":
      return {
        campaign_id: e.campaignId,
        code: e.code,
        discount: e.discount,
        transaction_id: e.transactionId,
        returned: e.returned,
      };
  }
}

const utcMicroseconds = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2}:\d{2})\.(\d{6})Z$/;

/**
 * `appliedAt` (UTC to the microsecond, as the ledger stamps it) → `YYYY-MM-DD hh:mm:ss.ffffff`: `Date`, which
 * `toClickHouseDateTime` reads through, keeps milliseconds only, and two changes a few microseconds apart would tie.
 */
function toMicrosecondDateTime(iso: string): string {
  const match = utcMicroseconds.exec(iso);
  if (!match) throw new Error(`Invalid appliedAt ${JSON.stringify(iso)}: expected YYYY-MM-DDThh:mm:ss.ffffffZ`);
  return `${match[1]} ${match[2]}.${match[3]}`;
}

/** Throws on a time without an offset (see `toClickHouseDateTime`), so a bad event fails before any write. */
export function toLoyaltyEventRow(event: LoyaltyEvent): LoyaltyEventRow {
  const { id, tenantId, customerId, occurredAt, type, ...details } = event;
  return {
    ...empty,
    ...typedColumns(event),
    tenant_id: tenantId,
    id,
    type,
    occurred_at: toClickHouseDateTime(occurredAt),
    customer_id: customerId,
    details: JSON.stringify(details),
  };
}

/** One insert per month touched (see `splitByPartition`); a redelivered event collapses with its first copy. */
export async function insertLoyaltyEvents(target: FactsTarget, events: readonly LoyaltyEvent[]): Promise<void> {
  const table = `${assertIdentifier(target.database)}.loyalty_events`;
  const rows = events.map(toLoyaltyEventRow);
  for (const part of splitByPartition(rows)) {
    await target.client.insert({ table, values: part, format: "JSONEachRow" });
  }
}
