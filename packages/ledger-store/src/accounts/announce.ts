import { randomBytes } from "node:crypto";
import {
  CouponRedeemed,
  type LoyaltyEvent,
  PointsEarned,
  PointsExpired,
  PointsRedeemed,
  PointsReversed,
  TransactionProcessed,
} from "@regulars/contracts";
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
 * An erased customer's movements are posted (their balance stays right for the accounts) and announced under a
 * pseudonym: see `pseudonymiseErasedCustomers`.
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
  const items = await pseudonymiseErasedCustomers(tx, [...(opts.extraOutbox ?? []), ...events.map(outboxItem)]);
  const outbox = opts.batch ? outboxBatch(items) : items;
  await writeOutbox(tx, outbox);
  return { posted, outbox };
}

const customerOf = (item: OutboxItem): string | null => {
  const id = (item.payload as { customerId?: unknown } | null)?.customerId;
  return typeof id === "string" ? id : null;
};

/**
 * The tenant's accounting facts, kept for an erased customer: the figures ClickHouse and the integrators' books
 * hold (a refund of a sale made before the erasure, points still expiring on their date) must keep adding up with
 * Postgres's, which erasure keeps. Each is rebuilt by its contract's schema, which strips any field it does not name.
 */
const accountingFacts: Record<string, { parse: (payload: unknown) => { customerId: string | null } }> = {
  "transaction.processed": TransactionProcessed,
  "points.earned": PointsEarned,
  "points.redeemed": PointsRedeemed,
  "points.expired": PointsExpired,
  "points.reversed": PointsReversed,
  "coupon.redeemed": CouponRedeemed,
};

/** The same form as the erasure's own pseudonym (`newPseudonym` of @regulars/privacy): random, so it leads nowhere. */
const freshPseudonym = (): string => `anon_${randomBytes(16).toString("hex")}`;

/**
 * The items with every event about an erased customer either pseudonymised or dropped. Erasure keeps the balance, so
 * the jobs and refunds go on moving it long after the erasure's ClickHouse sweep has ended and forgot its pseudonym:
 * an event under the real id would carry it to analytics, webhooks and campaigns again. The accounting facts
 * (`accountingFacts`: sales and refunds, points earned, spent, expired and taken back, coupon uses given back) go out
 * under a fresh pseudonym, one per customer per call so a refund's events agree with each other; no field of theirs
 * but the customer id names the person (a till's customer reference is resolved to the id, never carried). Every
 * other event is about the person and means nothing without them, so it is dropped: expiry notices, milestones
 * crossed, tier changes, stamp cards completed, recorded behaviour, and any type added later until it is judged here.
 *
 * One statement for all the items' customers (none when no item names one). The ledger batch pays it too, once per
 * batch, not per customer: `resolveCustomers` refused erased ids before the batch locked its customers, but an erasure
 * that committed in between is only seen here, under the locks.
 */
export async function pseudonymiseErasedCustomers(tx: RawTx, items: OutboxItem[]): Promise<OutboxItem[]> {
  const customers = [...new Set(items.map(customerOf).filter((id) => id !== null))];
  const erased = new Set(await erasedAmong(tx, customers));
  if (!erased.size) return items;
  const pseudonyms = new Map([...erased].map((id) => [id, freshPseudonym()]));
  return items.flatMap((item) => {
    const pseudonym = pseudonyms.get(customerOf(item) ?? "");
    if (!pseudonym) return [item];
    const fact = accountingFacts[item.type];
    return fact ? [{ ...item, payload: { ...fact.parse(item.payload), customerId: pseudonym } }] : [];
  });
}
