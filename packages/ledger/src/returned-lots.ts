import type { LotTake } from "./lots.ts";

/** Points a refund gives back, with the dates of the lot they were spent from (`null`: no lot says). */
export interface ReturnedLot {
  points: number;
  dates: { earnedAt: Date; expiresAt: Date | null } | null;
}

/**
 * What a refund gives back of a redemption of `redeemed` points that took `taken` out of lots (in the order
 * taken, first in first out), when the sale's earlier refunds gave back `from` of them and this one brings that
 * to `to`. Expiry dates are computed once, when points are awarded: returned points keep their lot's expiry and
 * earned date, so points that were due next week come back due next week, and points whose date has passed come
 * back already expired (the expiry pass takes them).
 *
 * The last points taken come back first: a sale refunded in part redeemed, in effect, only what it keeps, and
 * first-in first-out would have taken that from the oldest lots and left the newest ones. Earlier and later
 * refunds of one sale cut consecutive slices of the same order, so together they give back each taken point once.
 * Points no lot explains (a redemption committed before lots were recorded for it, or one that ran into a debt)
 * come back last-taken too, with `dates: null`: the caller dates them as new points. Consecutive pieces with the
 * same expiry become one, dated by the earliest of them, so a programme without lot expiry returns one lot.
 */
export function returnedLots(taken: readonly LotTake[], redeemed: number, from: number, to: number): ReturnedLot[] {
  const explained = taken.reduce((sum, t) => sum + t.points, 0);
  const lastTakenFirst: ReturnedLot[] = [
    ...(redeemed > explained ? [{ points: redeemed - explained, dates: null }] : []),
    ...[...taken].reverse().map((t) => ({ points: t.points, dates: { earnedAt: t.earnedAt, expiresAt: t.expiresAt } })),
  ];
  const out: ReturnedLot[] = [];
  let start = 0;
  for (const piece of lastTakenFirst) {
    const end = start + piece.points;
    const points = Math.min(end, to) - Math.max(start, from);
    start = end;
    if (points <= 0) continue;
    const previous = out[out.length - 1];
    if (previous && sameExpiry(previous, piece)) {
      previous.points += points;
      if (previous.dates && piece.dates && piece.dates.earnedAt < previous.dates.earnedAt)
        previous.dates = { ...previous.dates, earnedAt: piece.dates.earnedAt };
    } else out.push({ points, dates: piece.dates });
  }
  return out;
}

function sameExpiry(a: ReturnedLot, b: ReturnedLot): boolean {
  if (!a.dates || !b.dates) return !a.dates && !b.dates;
  return (a.dates.expiresAt?.getTime() ?? null) === (b.dates.expiresAt?.getTime() ?? null);
}
