import type { LoyaltyEvent } from "@regulars/contracts";
import type { RawTx } from "@regulars/db";
import { movementEvents, type NewMovement, type PostedMovement } from "@regulars/ledger";
import { erasedAmong } from "../customers/resolve.ts";
import { type OutboxItem, outboxBatch, outboxItem, writeOutbox } from "../outbox.ts";
import { trackMilestones } from "./milestones.ts";
import { postMovementsDetailed } from "./movements.ts";

export interface Announced {
  posted: PostedMovement[];
  /** Everything written to the outbox, to publish once the caller's transaction has committed. */
  outbox: OutboxItem[];
}

/**
 * The one way the ledger changes balances: post the movements (entries, lots, cached balances), then
 * announce them (points.* events, milestones crossed per the tenant's thresholds) with the caller's own
 * events, all written to the outbox in the caller's transaction. The ledger batch, action points, the
 * scheduled jobs and admin adjustments all go through here.
 *
 * An erased customer's movements are posted (their balance stays right for the accounts) but not announced: see
 * `withoutErasedCustomers`.
 */
export async function postAndAnnounce(
  tx: RawTx,
  movements: NewMovement[],
  opts: {
    milestonesOf: (tenantId: string) => number[];
    events?: LoyaltyEvent[];
    extraOutbox?: OutboxItem[];
    /** The events as one outbox row per tenant (`outboxBatch`), for a writer that announces hundreds at a time. */
    batch?: boolean;
  },
): Promise<Announced> {
  const posted = await postMovementsDetailed(tx, movements);
  const events: LoyaltyEvent[] = [...(opts.events ?? []), ...movementEvents(posted)];
  for (const tenantId of new Set(posted.map((p) => p.tenantId))) {
    events.push(
      ...(await trackMilestones(
        tx,
        opts.milestonesOf(tenantId),
        posted.filter((p) => p.tenantId === tenantId),
      )),
    );
  }
  const items = await withoutErasedCustomers(tx, [...(opts.extraOutbox ?? []), ...events.map(outboxItem)]);
  const outbox = opts.batch ? outboxBatch(items) : items;
  await writeOutbox(tx, outbox);
  return { posted, outbox };
}

const customerOf = (item: OutboxItem): string | null => {
  const id = (item.payload as { customerId?: unknown } | null)?.customerId;
  return typeof id === "string" ? id : null;
};

/**
 * The items minus every event about an erased customer. Erasure keeps the balance, so the jobs go on moving it
 * (expiries, tiers, releases) long after the erasure's ClickHouse sweep has ended: their events would carry the
 * real id to analytics, webhooks and campaigns again. One statement for all the items' customers (none when no item
 * names one). The ledger batch pays it too, once per batch, not per customer: `resolveCustomers` refused erased ids
 * before the batch locked its customers, but an erasure that committed in between is only seen here, under the locks.
 */
export async function withoutErasedCustomers(tx: RawTx, items: OutboxItem[]): Promise<OutboxItem[]> {
  const customers = [...new Set(items.map(customerOf).filter((id) => id !== null))];
  const erased = new Set(await erasedAmong(tx, customers));
  if (!erased.size) return items;
  return items.filter((item) => !erased.has(customerOf(item) ?? ""));
}
