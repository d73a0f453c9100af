import { DomainError } from "@regulars/errors";
import { holdEndedError } from "./held-baskets.ts";
import { type Admitted, type Stored, storedBefore, type TransactionIntake } from "./intake.ts";

/**
 * Claims the checkout holds that these sales name (`claimHeldHolds`: held, and before their expiry when the sales were
 * received), each for the sale naming it, so that the ledger commits each with its sale however late it applies it,
 * and no other sale's. Called once the sales passed every check of the gateway's own (their holds', their coupon
 * codes' throttle) and BEFORE they are published: a hold claimed only after the publish could meanwhile be ended as
 * expired (by the sweep, or any checkout ending lapsed holds) when the sale came just before the expiry, and the
 * till's discount would be given for nothing. So a sale is stored only with its hold claimed: a claim that fails
 * (Postgres out of reach) is answered 503 with nothing published, and the till's retry is a new sale with its own
 * time. A sale whose hold another sale claimed or committed since it was checked (two requests naming one hold at
 * once) is answered `hold_used` on its own (409 alone, `invalid` in a batch) and not published, and so is one whose
 * hold ended since (voided, swept), as `hold_ended`, unless it was stored before (its repeat); the other sales of the
 * request go on, their claims theirs. A sale that is then not stored (its publish failed) keeps its hold
 * reserved for `CLAIM_GRACE_MS` after the expiry at most; one the ledger rejects (a changed body under a used
 * `externalId`, told only once published, among others) gives its claim back with the rejection. A retry of a sale
 * stored before claims for the same transaction, which changes nothing: the first claim is kept, the original was
 * stored only after claiming, and a hold not claimable when the original came (ended, or past its expiry) is not.
 * Returns, for each sale, its refusal, or null to store it.
 */
export async function claimAdmittedHolds(
  intake: TransactionIntake,
  tenantId: string,
  admitted: Admitted[],
): Promise<(Stored | null)[]> {
  const claims = admitted.flatMap(({ transaction: t }) =>
    t.type === "sale" && t.holdId ? [{ holdId: t.holdId, externalId: t.externalId }] : [],
  );
  const refusals: (Stored | null)[] = admitted.map(() => null);
  if (!intake.claimSaleHolds || !claims.length) return refusals;
  const unclaimed = new Map(
    (await intake.claimSaleHolds(tenantId, claims, admitted[0]!.receivedAt)).map((u) => [u.holdId, u]),
  );
  const unclaimedOf = ({ transaction: t }: Admitted) =>
    t.type === "sale" && t.holdId ? unclaimed.get(t.holdId) : undefined;
  admitted.forEach((a, i) => {
    const { externalId } = a.transaction;
    if (unclaimedOf(a)?.code === "hold_used")
      refusals[i] = { outcome: "conflict", externalId, error: takenMeanwhile(a.transaction.holdId!) };
  });
  // A hold ended since the sale was checked: refused, unless the sale was stored before (its hold ended after it).
  const ended = admitted.flatMap((a, i) => (unclaimedOf(a)?.code === "hold_ended" ? [i] : []));
  if (!ended.length) return refusals;
  const repeats = await storedBefore(
    intake,
    tenantId,
    ended.map((i) => admitted[i]!),
  );
  ended.forEach((i, k) => {
    const u = unclaimedOf(admitted[i]!)!;
    if (u.code !== "hold_ended") return;
    const error = holdEndedError(u.holdId, u.ended, u.expiresAt);
    refusals[i] = repeats[k] ?? { outcome: "conflict", externalId: admitted[i]!.transaction.externalId, error };
  });
  return refusals;
}

const takenMeanwhile = (holdId: string) =>
  new DomainError(
    "hold_used",
    `hold ${holdId} was claimed by or committed to another sale meanwhile, and a hold pays for one sale only: this ` +
      "sale was not stored; post it without the hold, or quote its basket again and post it with a new hold",
    [{ path: "holdId", message: "is used by another sale" }],
  );
