import type { RawTx } from "@regulars/db";

/**
 * A merge: `intoId` takes over `fromId`'s stamp-card progress, card by card, adding stamps and completed cards to
 * its own (a regular at 9 of 10 stamps keeps them after signing up in the app). The merged customer keeps no
 * progress, so the person's cards are counted once. Returns how many of the merged customer's cards moved.
 *
 * Stamps may add up to a card's size or beyond: the card is not completed here, but by the next sale that stamps
 * it, whose planner carries stamps over the size (`applyStamps`: 12 of 10 and one more are one completion and 3
 * stamps) and pays the card's reward as for any completion. A merge is no sale: the reward's idempotency key, its
 * event and a refund's take-back all name the sale that completed the card. Completed counts add up too, so a
 * refund of a sale from before the merge takes back the stamps (and a completion) it gave, from the survivor.
 * The caller holds both customers' locks, which every writer of stamp progress takes first.
 */
export async function adoptStampProgress(tx: RawTx, tenantId: string, fromId: string, intoId: string): Promise<number> {
  return tx.$executeRaw`
    WITH taken AS (
      DELETE FROM stamp_card_progress WHERE tenant_id = ${tenantId} AND customer_id = ${fromId}
      RETURNING card_id, stamps, completed
    )
    INSERT INTO stamp_card_progress (customer_id, card_id, tenant_id, stamps, completed)
    SELECT ${intoId}, card_id, ${tenantId}, stamps, completed FROM taken
    ON CONFLICT (customer_id, card_id) DO UPDATE SET stamps = stamp_card_progress.stamps + excluded.stamps,
      completed = stamp_card_progress.completed + excluded.completed, updated_at = now()`;
}
