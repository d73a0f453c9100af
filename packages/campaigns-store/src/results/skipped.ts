import type { Db } from "@regulars/db";

/**
 * The campaign's messages that never went, by why: a marketer reads a shrinking audience differently when it lacks
 * profiling consent than when caps held it back.
 */
export interface SkippedMessages {
  total: number;
  /**
   * A message step's reason when planning or queueing skipped it (`no_consent`, `no_profiling_consent`, `no_address`,
   * `capped`, `removed_by_edit`, ...) or when its campaign was archived or set back to draft before it ran
   * (`campaign_archived`, `campaign_draft`); a queued message's code when the sender cancelled it (`messages.cancelled`).
   */
  byReason: Record<string, number>;
}

/**
 * Message steps that never queued a message, counted in Postgres: they leave no event. Skipped ones, and pending ones
 * cancelled because their campaign stopped running (`cancelStep`), by the reason they keep. The control group is not
 * among them: it is held out on purpose, and `reach.control` counts it.
 */
export async function unsentMessageSteps(db: Db, tenantId: string, campaignId: string): Promise<Map<string, number>> {
  const rows = await db.$queryRaw<{ reason: string; n: bigint }[]>`
    SELECT coalesce(reason, 'unknown') AS reason, count(*) AS n FROM campaign_steps
     WHERE tenant_id = ${tenantId} AND campaign_id = ${campaignId} AND status IN ('skipped', 'cancelled')
       AND action ->> 'type' = 'send_message' AND reason IS DISTINCT FROM 'control_group'
     GROUP BY 1`;
  return new Map(rows.map((r) => [r.reason, Number(r.n)]));
}

/**
 * Both kinds of skipped message, reasons of the same name added together: the steps above, and the messages cancelled
 * before they went by the code their `message.failed` announced (`campaignResults` counts them with its other
 * message figures, 64-bit counts as strings; an empty code reads `unknown`).
 */
export function skippedMessages(
  steps: ReadonlyMap<string, number>,
  cancelledByCode: Readonly<Record<string, string | number>>,
): SkippedMessages {
  const byReason: Record<string, number> = {};
  const add = (reason: string, n: number) => {
    byReason[reason] = (byReason[reason] ?? 0) + n;
  };
  for (const [reason, n] of steps) add(reason, n);
  for (const [code, n] of Object.entries(cancelledByCode)) add(code || "unknown", Number(n));
  const total = Object.values(byReason).reduce((sum, n) => sum + n, 0);
  return { total, byReason };
}
