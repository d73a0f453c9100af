import { exactNumber } from "@regulars/db";
import { DomainError } from "@regulars/errors";
import { type BehaviourProfile, behaviourProfile, type Daypart, type OrderFact } from "@regulars/profiles";
import type { DbOrTx } from "../shared.ts";
import { readRfmBoundaries } from "./rfm-boundaries.ts";

interface FactRow {
  transaction_id: string;
  kind: "sale" | "refund";
  occurred_at: Date;
  value: bigint;
  location_id: string;
  channel: string;
  daypart: Daypart;
  item_count: number;
  tag_quantities: Record<string, number>;
  voided: boolean;
}

/**
 * The customer's behavioural profile as of `now`, computed from their stored facts at this moment (so the
 * windows roll with the clock) and scored against the tenant's latest RFM boundaries. Another tenant's
 * customer is as unknown as none: not found.
 */
export async function readBehaviourProfile(
  db: DbOrTx,
  tenantId: string,
  customerId: string,
  now: Date,
): Promise<BehaviourProfile> {
  const [customer] = await db.$queryRaw<{ id: string }[]>`
    SELECT id FROM customers WHERE tenant_id = ${tenantId} AND id = ${customerId}`;
  if (!customer) throw new DomainError("not_found", `no customer ${customerId}`);
  const rows = await db.$queryRaw<FactRow[]>`
    SELECT transaction_id, kind, occurred_at, value, location_id, channel, daypart, item_count, tag_quantities, voided
    FROM profile_orders
    WHERE tenant_id = ${tenantId} AND customer_id = ${customerId} AND occurred_at <= ${now}`;
  return behaviourProfile(rows.map(factOf), now, await readRfmBoundaries(db, tenantId));
}

const factOf = (row: FactRow): OrderFact => ({
  transactionId: row.transaction_id,
  kind: row.kind,
  occurredAt: row.occurred_at,
  value: exactNumber(row.value),
  locationId: row.location_id,
  channel: row.channel,
  daypart: row.daypart,
  itemCount: row.item_count,
  tagQuantities: row.tag_quantities,
  voided: row.voided,
});
