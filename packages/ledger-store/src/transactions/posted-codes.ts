import type { UnknownCodeLimit } from "@regulars/checkout";
import type { PostedCouponOutcome } from "@regulars/contracts";
import { type RawTx, sqlArray } from "@regulars/db";
import type { TransactionRow } from "./store.ts";

/**
 * What became of a sale's posted coupon codes is kept in its stored explanation, beside the earning (an
 * anonymous sale earns nothing: then the codes alone), so the transaction's status can tell the integrator
 * which codes did not count and why, without a column of their own.
 */
export function explanationWithCouponCodes(earning: object | null, couponCodes: PostedCouponOutcome[]): object | null {
  return couponCodes.length ? { ...earning, couponCodes } : earning;
}

/** The posted codes' outcomes read back from a stored explanation; none for a refund or a sale without codes. */
export function couponCodesOf(explanation: unknown): PostedCouponOutcome[] {
  const stored = (explanation as { couponCodes?: PostedCouponOutcome[] } | null)?.couponCodes;
  return Array.isArray(stored) ? stored : [];
}

/** The posted codes of a stored sale that no coupon has: what its status tells the integrator does not exist. */
const unknownCodesOf = (explanation: unknown): number =>
  couponCodesOf(explanation).filter((c) => c.refusal?.code === "unknown_code").length;

/**
 * The unknown codes of the sales this batch stored, per tenant and posting key, in key order. Only stored sales
 * count: a sale applied before (a redelivery) stores nothing, so each sale counts once; a message from before the
 * gateway stamped its key counts against no one. A message marked `codesCounted` counts nothing here: the gateway
 * reserved its unknown codes before storing it (counting them only here let one batch of 500 sales, or concurrent
 * posts, try thousands of codes before any was counted). Counting is kept for messages stamped with the key but
 * not marked, stored by a gateway from before that change and still in the stream, so that none goes uncounted.
 */
export function unknownCodesByCredential(rows: TransactionRow[], stored: Set<string>): CredentialMisses[] {
  const byKey = new Map<string, CredentialMisses>();
  for (const r of rows) {
    const { tenantId, credentialId, transactionId } = r.message;
    if (!credentialId || r.message.codesCounted || !stored.has(transactionId)) continue;
    const misses = unknownCodesOf(r.explanation);
    if (!misses) continue;
    const key = `${tenantId}\u0000${credentialId}`;
    const counted = byKey.get(key);
    if (counted) counted.misses += misses;
    else byKey.set(key, { tenantId, credentialId, misses });
  }
  return [...byKey.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, m]) => m);
}

export interface CredentialMisses {
  tenantId: string;
  credentialId: string;
  misses: number;
}

/**
 * Adds the unknown codes of posted sales to their keys' windows in `coupon_code_misses`, in the batch's own
 * transaction: committed with the sales or rolled back with them, so a batch retried after a rollback counts
 * once. The window rules are those of quotes and holds (`@regulars/checkout-store`, `coupons/unknown-codes.ts`):
 * a new window when the last one ended or held nothing, else the count grows. Rows are written in key order, so
 * two batches counting the same keys wait for each other rather than deadlock. No statement without misses.
 */
export async function countPostedUnknownCodes(
  tx: RawTx,
  misses: CredentialMisses[],
  now: Date,
  limit: UnknownCodeLimit,
): Promise<void> {
  if (!misses.length) return;
  const ended = new Date(now.getTime() - limit.windowSeconds * 1000);
  await tx.$executeRaw`
    INSERT INTO coupon_code_misses AS m (tenant_id, credential_id, window_started_at, misses)
    SELECT t, c, ${now}, n
    FROM unnest(${sqlArray(misses.map((m) => m.tenantId))}::text[], ${sqlArray(misses.map((m) => m.credentialId))}::text[],
                ${sqlArray(misses.map((m) => m.misses))}::int[]) WITH ORDINALITY AS u(t, c, n, k)
    ORDER BY k
    ON CONFLICT (tenant_id, credential_id) DO UPDATE SET
      window_started_at = CASE WHEN m.window_started_at <= ${ended} OR m.misses = 0
        THEN excluded.window_started_at ELSE m.window_started_at END,
      misses = CASE WHEN m.window_started_at <= ${ended} OR m.misses = 0
        THEN excluded.misses ELSE m.misses + excluded.misses END`;
}
