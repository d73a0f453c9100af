import type { Admitted, TransactionIntake } from "./intake.ts";

/**
 * Claims the checkout holds that these sales name (`claimHeldHolds`: held, and before their expiry when the sales were
 * received), so that the ledger commits each with its sale however late it applies it. Called once the sales passed
 * every check of the gateway's own (their holds', their coupon codes' throttle) and BEFORE they are published: a hold
 * claimed only after the publish could meanwhile be ended as expired (by the sweep, or any checkout ending lapsed
 * holds) when the sale came just before the expiry, and the till's discount would be given for nothing. So a sale is
 * stored only with its hold claimed: a claim that fails (Postgres out of reach) is answered 503 with nothing
 * published, and the till's retry is a new sale with its own time. A sale that is then not stored (its publish
 * failed) keeps its hold reserved for `CLAIM_GRACE_MS` after the expiry at most; one the ledger rejects (a changed
 * body under a used `externalId`, told only once published, among others) gives its claim back with the rejection. A
 * retry of a sale stored before claims with its own time, which changes nothing: the first claim is kept, the original
 * was stored only after claiming, and a hold not claimable when the original came (ended, or past its expiry) is not.
 */
export async function claimAdmittedHolds(
  intake: TransactionIntake,
  tenantId: string,
  admitted: Admitted[],
): Promise<void> {
  const holdIds = admitted.flatMap(({ transaction: t }) => (t.type === "sale" && t.holdId ? [t.holdId] : []));
  if (intake.claimHolds && holdIds.length) await intake.claimHolds(tenantId, holdIds, admitted[0]!.receivedAt);
}
