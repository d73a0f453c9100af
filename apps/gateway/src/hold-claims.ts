import type { Admitted, TransactionIntake } from "./intake.ts";

/**
 * Claims the checkout holds that these sales name (`claimHeldHolds`: held, and before their expiry when the sales were
 * received), each for the sale naming it, so that the ledger commits each with its sale however late it applies it,
 * and no other sale's. Called once the sales passed every check of the gateway's own (their holds', their coupon
 * codes' throttle) and BEFORE they are published: a hold claimed only after the publish could meanwhile be ended as
 * expired (by the sweep, or any checkout ending lapsed holds) when the sale came just before the expiry, and the
 * till's discount would be given for nothing. So a sale is stored only with its hold claimed: a claim that fails
 * (Postgres out of reach) is answered 503 with nothing published, and the till's retry is a new sale with its own
 * time; one whose hold another sale claimed or committed since it was checked (two requests naming one hold at once)
 * is answered 409 `hold_used`, nothing published. A sale that is then not stored (its publish failed) keeps its hold
 * reserved for `CLAIM_GRACE_MS` after the expiry at most; one the ledger rejects (a changed body under a used
 * `externalId`, told only once published, among others) gives its claim back with the rejection. A retry of a sale
 * stored before claims for the same transaction, which changes nothing: the first claim is kept, the original was
 * stored only after claiming, and a hold not claimable when the original came (ended, or past its expiry) is not.
 */
export async function claimAdmittedHolds(
  intake: TransactionIntake,
  tenantId: string,
  admitted: Admitted[],
): Promise<void> {
  const claims = admitted.flatMap(({ transaction: t }) =>
    t.type === "sale" && t.holdId ? [{ holdId: t.holdId, externalId: t.externalId }] : [],
  );
  if (intake.claimSaleHolds && claims.length) await intake.claimSaleHolds(tenantId, claims, admitted[0]!.receivedAt);
}
