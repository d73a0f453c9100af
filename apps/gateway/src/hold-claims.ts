import type { Admitted, TransactionIntake } from "./intake.ts";

/**
 * Claims the checkout holds that these stored sales name (`claimHeldHolds`: held, and before their expiry when the
 * sales were received), before they are answered, so that the ledger commits each with its sale however late it
 * applies it. Only sales stored now or before claim: an answer meaning that nothing was stored (a refusal, a changed
 * body under a used `externalId`, a failed publish) claims nothing. A claim that fails (Postgres out of reach) is
 * answered 503 as any: the sales stay stored, the till sends the call again, and the sales, read then as duplicates,
 * claim their holds (still before their expiry; after it, the ledger applying the sale late may find it ended).
 */
export async function claimStoredHolds(intake: TransactionIntake, tenantId: string, stored: Admitted[]): Promise<void> {
  const holdIds = stored.flatMap(({ transaction: t }) => (t.type === "sale" && t.holdId ? [t.holdId] : []));
  if (intake.claimHolds && holdIds.length) await intake.claimHolds(tenantId, holdIds, stored[0]!.receivedAt);
}
