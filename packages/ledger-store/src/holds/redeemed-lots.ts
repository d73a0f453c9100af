import { exactNumber, type RawTx } from "@regulars/db";
import { type LotChanges, type LotTake, type NewMovement, planLotChanges } from "@regulars/ledger";
import { readLiveLots, spendableAccountsStatement } from "../accounts/lots.ts";

const REDEEM = "redeem:";

/** The key of the movement that spends a committed hold's points (one per hold, so a redelivery spends nothing). */
export const redeemKey = (holdId: string): string => `${REDEEM}${holdId}`;

interface StoredTake {
  points: number;
  earnedAt: string;
  expiresAt: string | null;
}

/**
 * Stores on each hold whose points were just spent the lots they were taken from (`checkout_holds.redeemed_lots`,
 * migration 0042), planned with the batch's lots: which lots a redemption takes is known only then, after every
 * movement before it. One statement for all of them, sent only when something was redeemed.
 */
export async function saveRedeemedLots(tx: RawTx, redeemed: LotChanges["redeemed"]): Promise<void> {
  const holds = redeemed
    .filter((r) => r.key.startsWith(REDEEM))
    .map((r) => ({ tenant_id: r.tenantId, id: r.key.slice(REDEEM.length), lots: r.taken.map(storedTake) }));
  if (!holds.length) return;
  await tx.$executeRaw`
    UPDATE checkout_holds h SET redeemed_lots = r.lots
    FROM jsonb_to_recordset(${JSON.stringify(holds)}::jsonb) AS r(tenant_id text, id text, lots jsonb)
    WHERE h.tenant_id = r.tenant_id AND h.id = r.id`;
}

const storedTake = (t: LotTake): StoredTake => ({
  points: t.points,
  earnedAt: t.earnedAt.toISOString(),
  expiresAt: t.expiresAt?.toISOString() ?? null,
});

/** `redeemed_lots` as read (a driver may hand jsonb over as text). */
export function parseRedeemedLots(stored: unknown): LotTake[] | null {
  if (stored === null || stored === undefined) return null;
  const takes = (typeof stored === "string" ? JSON.parse(stored) : stored) as StoredTake[];
  return takes.map((t) => ({
    points: exactNumber(t.points),
    earnedAt: new Date(t.earnedAt),
    expiresAt: t.expiresAt === null ? null : new Date(t.expiresAt),
  }));
}

/**
 * The lots a hold's redemption will take when its sale came earlier in the same batch as the refund: the batch posts
 * its movements (and records the lots taken) only at its end. Planned here as the batch will plan it, from the
 * customer's spendable balance and live lots and their movements before the redemption in the batch (the first
 * of a key wins, as when posted). Null when the redemption is not in the batch. Runs only for such a refund; the
 * customer is locked by the batch, so nothing else moves their lots meanwhile.
 */
export async function lotsTakenInBatch(
  tx: RawTx,
  customer: { tenantId: string; customerId: string },
  holdId: string,
  pending: readonly NewMovement[],
): Promise<LotTake[] | null> {
  const key = redeemKey(holdId);
  const mine = (p: NewMovement) =>
    p.tenantId === customer.tenantId && p.customerId === customer.customerId && p.unit === "points";
  const at = pending.findIndex((p) => mine(p) && p.idempotencyKey === key);
  if (at < 0) return null;
  const seen = new Set<string>();
  const before = pending.slice(0, at + 1).filter((p) => {
    if (!mine(p) || p.amount === 0 || seen.has(p.idempotencyKey)) return false;
    seen.add(p.idempotencyKey);
    return true;
  });
  const [account] = await tx.$queryRaw<{ balance: bigint }[]>(
    spendableAccountsStatement(new Map([[customer.customerId, customer.tenantId]])),
  );
  const lots = await readLiveLots(tx, [customer.customerId]);
  const plan = planLotChanges(
    before.map((p, i) => ({ ...p, id: `planned:${i}` })),
    new Map([[customer.customerId, exactNumber(account?.balance ?? 0)]]),
    lots,
  );
  return plan.redeemed.find((r) => r.key === key)?.taken ?? null;
}
