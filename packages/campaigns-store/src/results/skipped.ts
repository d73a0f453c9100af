import type { FactsTarget } from "@regulars/analytics";
import type { Db } from "@regulars/db";

/**
 * The campaign's messages that never went, by why: a marketer reads a shrinking audience differently when it lacks
 * profiling consent than when caps held it back.
 */
export interface SkippedMessages {
  total: number;
  /**
   * A message step's reason when planning or queueing skipped it (`no_consent`, `no_profiling_consent`, `no_address`,
   * `capped`, `removed_by_edit`, ...); a queued message's code when the sender cancelled it (`messages.cancelled`).
   */
  byReason: Record<string, number>;
}

/**
 * Message steps skipped before any message existed, counted in Postgres: they leave no event. The control group is
 * not among them: it is held out on purpose, and `reach.control` counts it.
 */
async function skippedSteps(db: Db, tenantId: string, campaignId: string): Promise<Map<string, number>> {
  const rows = await db.$queryRaw<{ reason: string; n: bigint }[]>`
    SELECT coalesce(reason, 'unknown') AS reason, count(*) AS n FROM campaign_steps
     WHERE tenant_id = ${tenantId} AND campaign_id = ${campaignId} AND status = 'skipped'
       AND action ->> 'type' = 'send_message' AND reason IS DISTINCT FROM 'control_group'
     GROUP BY 1`;
  return new Map(rows.map((r) => [r.reason, Number(r.n)]));
}

/**
 * Messages cancelled before they went, by the code their `message.failed` announced, counted as `cancelled` is in
 * `campaignResults`: failed, never sent, delivered nor refused by a provider (`refusals`).
 */
async function cancelledMessages(
  analytics: FactsTarget,
  ch: string,
  params: { tenant: string; campaign: string; refusals: readonly string[] },
): Promise<Map<string, number>> {
  const result = await analytics.client.query({
    query: `SELECT failure_code AS code, count() AS n
              FROM (
                SELECT message_id,
                       countIf(type = 'sent') > 0 AS sent,
                       countIf(type IN ('delivered', 'opened', 'clicked')) > 0 AS delivered,
                       countIf(type = 'failed') > 0 AS failed,
                       countIf(type = 'failed' AND code IN {refusals:Array(String)}) > 0 AS refused,
                       anyIf(code, type = 'failed') AS failure_code
                  FROM ${ch}.message_events FINAL
                 WHERE tenant_id = {tenant:String} AND campaign_id = {campaign:String}
                 GROUP BY message_id)
             WHERE failed AND NOT delivered AND NOT sent AND NOT refused
             GROUP BY failure_code`,
    query_params: params,
    format: "JSONEachRow",
  });
  const rows = await result.json<{ code: string; n: string }>();
  return new Map(rows.map((r) => [r.code || "unknown", Number(r.n)]));
}

/** Both kinds of skipped message, reasons of the same name added together. */
export async function skippedMessages(
  deps: { db: Db; analytics: FactsTarget },
  ch: string,
  params: { tenant: string; campaign: string; refusals: readonly string[] },
): Promise<SkippedMessages> {
  const [steps, cancelled] = await Promise.all([
    skippedSteps(deps.db, params.tenant, params.campaign),
    cancelledMessages(deps.analytics, ch, params),
  ]);
  const byReason: Record<string, number> = {};
  for (const counts of [steps, cancelled])
    for (const [reason, n] of counts) byReason[reason] = (byReason[reason] ?? 0) + n;
  const total = Object.values(byReason).reduce((sum, n) => sum + n, 0);
  return { total, byReason };
}
