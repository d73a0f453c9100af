import type { DbTx } from "@regulars/db";
import { ulid } from "@regulars/ids";
import { type ConsentRecord, currentConsents, rankedAt } from "../consents.ts";
import { announce } from "../events.ts";
import type { ChangeOrigin } from "../shared.ts";

const pairOf = (c: { channel: string; purpose: string }) => `${c.channel}/${c.purpose}`;
const rankOf = (c: ConsentRecord) => rankedAt(new Date(c.occurredAt), new Date(c.recordedAt));

/**
 * Whose choice is in force after a merge, per channel and purpose. `survivor`: the survivor's wherever it ever chose
 * (an app account absorbing a kiosk's customer, whose choices a kiosk cannot prove the person made). `latest`: the most
 * recent choice of either, as `consentInForceOrder` ranks them (one person split by the spellings of one number, where
 * the survivor has no more say than the other: a withdrawal made on either must stand).
 */
export type ConsentMergePolicy = "survivor" | "latest";

/**
 * Moves the merged customer's consent history to the survivor. By the `survivor` policy its choices take effect only
 * for the channels and purposes the survivor never chose on: the rule a till's enrolment follows, as the merged
 * customer is most often a till's (a kiosk cannot prove who typed the number); a withdrawal more recent than the
 * survivor's grant stands all the same (it sends less, never more). Where a moved grant would outrank the
 * survivor's own, the survivor's choice is recorded again (source `merge`) just after it, so the consent in force stays
 * the survivor's while the moved rows keep their own times for the history and the export, and every reader of the
 * consent in force (`consentInForceOrder` and its copies) needs no marker to skip them. Ranking it just after, not at
 * the merge, keeps a late upload of a choice the customer made since ranking as it would have. By the `latest` policy
 * nothing is recorded again: the moved rows rank as they are. Announces `consent.changed` for each channel and purpose
 * whose choice in force the merge changed. Returns the rows moved.
 */
export async function adoptConsents(
  tx: DbTx,
  tenantId: string,
  fromId: string,
  intoId: string,
  origin: ChangeOrigin,
  policy: ConsentMergePolicy = "survivor",
): Promise<number> {
  const own = new Map((await currentConsents(tx, tenantId, intoId)).map((c) => [pairOf(c), c]));
  const moved = await tx.$executeRaw`
    UPDATE customer_consents SET customer_id = ${intoId}
    WHERE tenant_id = ${tenantId} AND customer_id = ${fromId}`;
  if (!moved) return 0;
  const inForce = await currentConsents(tx, tenantId, intoId);
  const kept = inForce.flatMap((c) => {
    const mine = own.get(pairOf(c));
    // A withdrawal stands whoever made it: honouring it sends less, never more, and needs no proof of who chose.
    if (policy === "latest" || !mine || mine.id === c.id || !c.granted) return [];
    const at = rankOf(c) + 1;
    const recordedAt = new Date(Math.max(at, origin.now.getTime())).toISOString();
    return [{ ...mine, id: `cns_${ulid()}`, occurredAt: new Date(at).toISOString(), recordedAt }];
  });
  if (kept.length)
    await tx.$executeRaw`
      INSERT INTO customer_consents (id, tenant_id, customer_id, channel, purpose, granted, source, actor, occurred_at, recorded_at)
      SELECT id, ${tenantId}, ${intoId}, channel, purpose, granted, 'merge', ${origin.actor}, occurred_at, recorded_at
      FROM unnest(${kept.map((k) => k.id)}::text[], ${kept.map((k) => k.channel)}::text[],
        ${kept.map((k) => k.purpose)}::text[], ${kept.map((k) => k.granted)}::boolean[],
        ${kept.map((k) => k.occurredAt)}::timestamptz[], ${kept.map((k) => k.recordedAt)}::timestamptz[])
        AS k(id, channel, purpose, granted, occurred_at, recorded_at)`;
  await announce(
    tx,
    inForce
      .filter((c) => {
        const mine = own.get(pairOf(c));
        return !mine || (mine.granted !== c.granted && (policy === "latest" || !c.granted));
      })
      .map((c) => ({
        type: "consent.changed" as const,
        // The row's own id names its announcement for the merged customer already.
        id: `consent.changed:${c.id}:${intoId}`,
        tenantId,
        customerId: intoId,
        occurredAt: new Date(rankOf(c)).toISOString(),
        channel: c.channel,
        purpose: c.purpose,
        granted: c.granted,
        source: c.source,
      })),
  );
  return moved;
}
