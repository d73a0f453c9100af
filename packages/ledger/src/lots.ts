import { originalLotKey } from "./merged-lots.ts";
import type { NewMovement } from "./movement.ts";
import type { CustomerAccount } from "./postings.ts";

/** Earned points, spent and expired first-in first-out; `remaining` is what is left of it. */
export interface Lot {
  id: string | null; // null until stored
  tenantId: string;
  customerId: string;
  movementId: string;
  /** Idempotency key of the credit that opened the lot (a release or a reversal names it). */
  key: string;
  points: number;
  remaining: number;
  earnedAt: Date;
  availableAt: Date;
  expiresAt: Date | null;
  released: boolean;
  dirty: boolean;
}

/** Points a redemption took out of one lot, with that lot's dates (what a refund gives back keeps them). */
export interface LotTake {
  points: number;
  earnedAt: Date;
  expiresAt: Date | null;
}

export interface LotChanges {
  created: Lot[];
  updated: { id: string; remaining: number; released: boolean }[];
  /** Which customer account each movement posts to (pending credits and their reversals differ). */
  accountOf: Map<string, CustomerAccount>;
  /** The customer's spendable balance before and after each point movement, in order. */
  balances: Map<string, { before: number; after: number }>;
  /** Each redemption (kind `redeem`) and the lots it took from, in the order taken (see `planLotChanges`). */
  redeemed: { tenantId: string; key: string; taken: LotTake[] }[];
}

export type FreshMovement = NewMovement & { id: string };

/**
 * How point movements change the customers' lots, in movement order, from their spendable balances and
 * open lots (oldest first):
 * - a credit opens a lot; when the balance is negative (a refund took back points already spent) the
 *   new points first pay that debt, so the lot starts with what is left;
 * - a pending credit (available later) opens an unreleased lot on the pending account;
 * - a release makes its lot spendable (paying any debt first);
 * - a debit takes from the oldest spendable lots first; one aimed at a lot (`sourceKey`: a refund of
 *   that sale, that lot's expiry) takes from it first; a reversal of a still-pending credit takes from
 *   that credit's lot on the pending account instead. A debit other than an expiry or a merge's move takes
 *   from lots past their expiry date at its `validAt` (a hold's spend: when the hold was placed) or else its
 *   `occurredAt` only once the others are empty (`unexpiredFirst`).
 *   The lot aimed at is the debiting customer's own: the one
 *   opened under that key, or the one a merge moved it into (`originalLotKey`), which a refund of a sale of the
 *   merged customer aims at by the sale's key.
 */
export function planLotChanges(
  movements: readonly FreshMovement[],
  balances: ReadonlyMap<string, number>,
  openLots: readonly Lot[],
): LotChanges {
  const changes: LotChanges = {
    created: [],
    updated: [],
    accountOf: new Map(),
    balances: new Map(),
    redeemed: [],
  };
  const running = new Map(balances);
  const lotsOf = new Map<string, Lot[]>();
  const lotByKey = new LotsByKey();
  for (const lot of openLots) {
    const own = lotsOf.get(lot.customerId);
    if (own) own.push(lot);
    else lotsOf.set(lot.customerId, [lot]);
    lotByKey.add(lot);
  }
  for (const m of movements.filter((mv) => mv.unit === "points")) {
    if (!lotsOf.has(m.customerId)) lotsOf.set(m.customerId, []);
    const before = running.get(m.customerId) ?? 0;
    const source = m.sourceKey ? lotByKey.aimedAt(m.tenantId, m.customerId, m.sourceKey) : undefined;
    const { account, after } = applyToLots(m, before, lotsOf.get(m.customerId)!, source, lotByKey, changes);
    running.set(m.customerId, after);
    changes.accountOf.set(m.id, account);
    changes.balances.set(m.id, { before, after });
  }
  for (const lots of lotsOf.values()) {
    for (const lot of lots)
      if (lot.id && lot.dirty) changes.updated.push({ id: lot.id, remaining: lot.remaining, released: lot.released });
  }
  return changes;
}

/**
 * The customers whose open lots `planLotChanges` needs: those with a point debit (or a zero) or a release among
 * the movements. Everyone else's plan comes from the balance alone (a credit pays a debt off, which the balance
 * shows, and opens a lot of its own), so their lots need not be read nor locked. A regular who never redeems keeps
 * an open lot per visit: reading them all on every visit made each sale slower the more loyal the customer.
 */
export function customersNeedingLots(movements: readonly FreshMovement[]): Set<string> {
  const customers = new Set<string>();
  for (const m of movements)
    if (m.unit === "points" && (m.kind === "release" || m.amount <= 0)) customers.add(m.customerId);
  return customers;
}

function applyToLots(
  m: FreshMovement,
  balance: number,
  lots: Lot[],
  source: Lot | undefined,
  lotByKey: LotsByKey,
  changes: LotChanges,
): { account: CustomerAccount; after: number } {
  const debt = Math.max(0, -balance);
  if (m.kind === "release") {
    if (source && !source.released) {
      source.released = true;
      source.remaining -= Math.min(source.remaining, debt);
      source.dirty = true;
    }
    return { account: "points", after: balance + m.amount };
  }
  if (m.amount > 0) {
    const availableAt = m.lot?.availableAt ?? m.occurredAt;
    const pending = availableAt.getTime() > m.occurredAt.getTime();
    const lot: Lot = {
      id: null,
      tenantId: m.tenantId,
      customerId: m.customerId,
      movementId: m.id,
      key: m.idempotencyKey,
      points: m.amount,
      remaining: pending ? m.amount : m.amount - Math.min(m.amount, debt),
      earnedAt: m.lot?.earnedAt ?? m.occurredAt,
      availableAt,
      expiresAt: m.lot?.expiresAt ?? null,
      released: !pending,
      dirty: false,
    };
    lots.push(lot);
    lotByKey.add(lot);
    changes.created.push(lot);
    return pending ? { account: "points_pending", after: balance } : { account: "points", after: balance + m.amount };
  }
  if (source && !source.released) {
    source.remaining -= Math.min(source.remaining, -m.amount);
    source.dirty = true;
    return { account: "points_pending", after: balance };
  }
  let need = -m.amount;
  // A redemption remembers which lots it took from: a refund gives those points back with those lots' dates.
  const taken: LotTake[] | null = m.kind === "redeem" ? [] : null;
  // A debit aimed at a lot (its refund, its expiry) takes from that lot first, even past its date (the refund spares
  // what had expired of it, and what the refund takes the expiry pass does not take again); then the others.
  const ordered = keepsLotOrder(m.kind) ? lots : unexpiredFirst(lots, m.validAt ?? m.occurredAt);
  for (const lot of source ? [source, ...ordered] : ordered) {
    if (need === 0) break;
    if (!lot.released || lot.remaining === 0) continue;
    const take = Math.min(lot.remaining, need);
    lot.remaining -= take;
    lot.dirty = true;
    need -= take;
    taken?.push({ points: take, earnedAt: lot.earnedAt, expiresAt: lot.expiresAt });
  }
  if (taken) changes.redeemed.push({ tenantId: m.tenantId, key: m.idempotencyKey, taken });
  return { account: "points", after: balance + m.amount };
}

/**
 * An expiry takes the lot it names (or, for inactivity, the whole balance) and a merge moves each lot as it is, dates
 * and all: which lots come next does not matter to them. Any other debit takes points the customer loses on top of
 * what expires: a spend, a refund's take-back beyond its sale's lot, an adjustment, a reward taken back, a debt
 * moved in by a merge.
 */
const keepsLotOrder = (kind: FreshMovement["kind"]): boolean => kind === "expire" || kind === "transfer_out";

/**
 * The lots still good at `at` (no expiry, or one after it) first, then those past their date, each oldest first.
 * Lots past their date keep their points until the expiry pass takes what is left of them: a debit taken from them
 * would leave the pass less to take and the customer the good points instead. They come last, not never: a spend
 * beyond the good points takes them. A hold placed before their date is judged at that time (`validAt`): it counted
 * them as spendable and kept the pass from them, so its sale, posted after the date, spends them as it would have then.
 */
function unexpiredFirst(lots: readonly Lot[], at: Date): Lot[] {
  const stillGood = (lot: Lot) => lot.expiresAt === null || lot.expiresAt.getTime() > at.getTime();
  return [...lots.filter(stillGood), ...lots.filter((lot) => !stillGood(lot))];
}

/** The lots a debit may aim at, by their key and, for a lot a merge moved, by the key it was first opened under. */
class LotsByKey {
  private readonly byKey = new Map<string, Lot>();
  private readonly byOrigin = new Map<string, Lot>();

  add(lot: Lot): void {
    this.byKey.set(`${lot.tenantId}\u0000${lot.key}`, lot);
    const origin = lot.key.startsWith("merge:") ? originalLotKey(lot.key) : lot.key;
    const byOrigin = `${lot.tenantId}\u0000${lot.customerId}\u0000${origin}`;
    if (origin !== lot.key && !this.byOrigin.has(byOrigin)) this.byOrigin.set(byOrigin, lot);
  }

  aimedAt(tenantId: string, customerId: string, sourceKey: string): Lot | undefined {
    const own = this.byKey.get(`${tenantId}\u0000${sourceKey}`);
    if (own?.customerId === customerId) return own;
    // Another customer's lot under that key is the merged customer's, emptied by the merge: never this debit's.
    return this.byOrigin.get(`${tenantId}\u0000${customerId}\u0000${originalLotKey(sourceKey)}`);
  }
}
