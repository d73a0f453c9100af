import {
  CouponRedeemed,
  PointsEarned,
  PointsExpired,
  PointsRedeemed,
  PointsReversed,
  TransactionProcessed,
} from "@regulars/contracts";
import type { RawTx } from "@regulars/db";
import { isPseudonym, newPseudonym } from "@regulars/ids";
import { erasedAmong } from "../customers/resolve.ts";
import type { OutboxItem } from "../outbox.ts";

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
 * `announced` holds, by event id, the pseudonym an event's writer already announced it under: the relay rebuilds a
 * sale or refund a crash left behind from the stored transaction (its real id) and must give it that pseudonym, not a
 * fresh one, or it no longer joins the facts its writer announced beside it (`announcedPseudonym`).
 *
 * One statement for all the items' customers (none when no item names one). The ledger batch pays it too, once per
 * batch, not per customer: `resolveCustomers` refused erased ids before the batch locked its customers, but an erasure
 * that committed in between is only seen here, under the locks.
 */
export async function pseudonymiseErasedCustomers(
  tx: RawTx,
  items: OutboxItem[],
  announced: ReadonlyMap<string, string> = new Map(),
): Promise<OutboxItem[]> {
  const customers = [...new Set(items.map(customerOf).filter((id) => id !== null))];
  const erased = new Set(await erasedAmong(tx, customers));
  if (!erased.size) return items;
  const pseudonyms = new Map([...erased].map((id) => [id, newPseudonym()]));
  return items.flatMap((item) => {
    const fresh = pseudonyms.get(customerOf(item) ?? "");
    if (!fresh) return [item];
    const fact = accountingFacts[item.type];
    const customerId = announced.get(item.id) ?? fresh;
    return fact ? [{ ...item, payload: { ...fact.parse(item.payload), customerId } }] : [];
  });
}

/**
 * What an outbox row keeps of a pseudonymised event it stores as a mere reference (transaction.processed, rebuilt
 * by the relay): the pseudonym its writer chose, for `pseudonymiseErasedCustomers` to give the rebuilt event. Kept
 * as long as the row (pruned a week after publishing), as the pseudonym in the row's other events is; random, so it
 * says nothing of the customer. Nothing for an event under a real id or none.
 */
export const announcedPseudonym = (payload: { customerId?: unknown }): { pseudonym?: string } =>
  isPseudonym(payload.customerId) ? { pseudonym: payload.customerId } : {};
