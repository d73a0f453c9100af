import { type RawTx, sqlArray } from "@regulars/db";
import { CLAIM_GRACE_MS } from "./release.ts";

/** A sale about to be applied and the checkout hold it names. */
export interface SaleNamingHeldHold {
  tenantId: string;
  /** When the gateway received the sale: a claim is another sale's while in force then (`claimedBySale`). */
  receivedAt: Date;
  transactionId: string;
  externalId: string;
  holdId: string;
}

/**
 * For each sale, why the checkout hold it names is another sale's, or null: committed to another sale, claimed by
 * another sale the gateway accepted (`claimHeldHolds`) and the claim in force when this one was received (past its
 * grace a hold is as if unclaimed), or named by an earlier sale of the same list. One hold pays for one sale: such a
 * sale cannot commit it (`commitSaleCheckout`), and processed as if it had, its discounts from the hold would be given
 * for nothing, with nothing telling the till. The gateway refuses these sales (`saleHoldRefusals`); one may still
 * come (its hold claimed before claims named their sale, an older gateway, a replay), and the ledger rejects it, its
 * reason saying which sale has the hold. Read without the holds' locks: a committed hold stays committed, and a claim
 * changes hands only by its sale's rejection, which at worst rejects this sale for a hold just freed. The sale that
 * claimed or committed the hold (a redelivery) is not refused.
 */
export async function salesNamingTakenHolds(
  tx: RawTx,
  sales: readonly SaleNamingHeldHold[],
): Promise<(string | null)[]> {
  if (!sales.length) return [];
  const rows = await tx.$queryRaw<{ n: bigint; committed: boolean; committed_to: string | null; claimed_by: string }[]>`
    SELECT w.n, h.status = 'committed' AS committed, t.external_id AS committed_to,
      h.claimed_by_external_id AS claimed_by
    FROM unnest(${sqlArray(sales.map((s) => s.tenantId))}::text[], ${sqlArray(sales.map((s) => s.holdId))}::text[],
                ${sqlArray(sales.map((s) => s.transactionId))}::text[], ${sqlArray(sales.map((s) => s.externalId))}::text[],
                ${sqlArray(sales.map((s) => s.receivedAt))}::timestamptz[])
      WITH ORDINALITY AS w(tenant_id, hold_id, transaction_id, external_id, received_at, n)
    JOIN checkout_holds h ON h.id = w.hold_id AND h.tenant_id = w.tenant_id
    LEFT JOIN transactions t ON t.id = h.transaction_id
    WHERE (h.status = 'committed' AND h.transaction_id <> w.transaction_id)
       OR (h.status = 'held' AND h.claimed_by_external_id <> w.external_id AND h.claimed_at < h.expires_at
           AND h.expires_at > w.received_at - make_interval(secs => ${CLAIM_GRACE_MS / 1000}))`;
  const taken = new Map(rows.map((r) => [Number(r.n) - 1, r]));
  const firstNaming = new Map<string, string>();
  return sales.map((s, i) => {
    const key = `${s.tenantId}\u0000${s.holdId}`;
    const earlier = firstNaming.get(key);
    const row = taken.get(i);
    if (earlier === undefined && !row) firstNaming.set(key, s.externalId);
    if (row?.committed)
      return `${unused(s.holdId)} (it was committed to ${row.committed_to ? `sale ${row.committed_to}` : "another sale"})`;
    if (row) return `${unused(s.holdId)} (it is claimed by sale ${row.claimed_by}, accepted before)`;
    if (earlier !== undefined && earlier !== s.externalId)
      return `${unused(s.holdId)} (sale ${earlier}, earlier in the same batch, named it)`;
    return null;
  });
}

const unused = (holdId: string) =>
  `checkout hold ${holdId} pays for one sale only, and not for this one: its discounts from the hold are not paid ` +
  "for; post the sale without the hold under a new externalId";
