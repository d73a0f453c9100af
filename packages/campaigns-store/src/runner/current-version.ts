import { REMOVED_BY_EDIT } from "@regulars/campaigns";
import { CampaignAction, CampaignDelivery } from "@regulars/contracts";
import { type Db, withTransaction } from "@regulars/db";
import type { OutboxItem } from "@regulars/ledger-store";
import { settleSkippedEnrolments } from "./settle-skipped.ts";

/**
 * What the campaign's current version makes of a step planned under an earlier one: `kept` runs the current
 * version's action at the same position (a fixed amount, coupon or template reaches the steps already planned);
 * `removed` when there is none there or it is of another kind; `unreadable` when this release cannot read it (a newer
 * release's, mid-deploy), so the step fails and is tried again rather than running what the marketer replaced.
 */
export type AgainstCurrentVersion = "kept" | "removed" | "unreadable";

/** A position of the current version: its action, null when it does not parse, absent when there is no such step. */
type CurrentActions = readonly (CampaignAction | null)[];

/** What a claim reads of a campaign's current version: its steps, and when its messages go (null when unreadable). */
export interface CurrentVersion {
  actions: CurrentActions | null;
  delivery: CampaignDelivery | null;
}

/**
 * The current version of each campaign, parsed once for the whole claim (a broadcast's hundreds of steps share one).
 * A definition without an actions array reads as every step unreadable.
 */
export async function currentVersionsOf(db: Db, campaignIds: readonly string[]): Promise<Map<string, CurrentVersion>> {
  if (!campaignIds.length) return new Map();
  const rows = await db.$queryRaw<{ campaign_id: string; actions: unknown; delivery: unknown }[]>`
    SELECT c.id AS campaign_id, v.definition -> 'actions' AS actions, v.definition -> 'delivery' AS delivery
    FROM campaigns c JOIN campaign_versions v ON v.campaign_id = c.id AND v.version = c.version
    WHERE c.id = ANY(${[...campaignIds]}::text[])`;
  return new Map(
    rows.map((r) => [
      r.campaign_id,
      {
        actions: Array.isArray(r.actions) ? r.actions.map((a) => CampaignAction.safeParse(a).data ?? null) : null,
        delivery: CampaignDelivery.safeParse(r.delivery ?? {}).data ?? null,
      },
    ]),
  );
}

/**
 * The step's action as the current version has it at `stepIndex`. Only the kind must match (the action type, and a
 * message's channel: consent, caps and the address were judged for that channel at planning); the wait is not read,
 * as the step's time was fixed at planning and stays.
 */
export function againstCurrentVersion(
  planned: CampaignAction,
  stepIndex: number,
  current: CurrentActions | null | undefined,
): { check: AgainstCurrentVersion; action: CampaignAction } {
  if (!current) return { check: "unreadable", action: planned };
  if (stepIndex >= current.length) return { check: "removed", action: planned };
  const now = current[stepIndex];
  if (!now) return { check: "unreadable", action: planned };
  const sameKind =
    now.type === planned.type &&
    (now.type !== "send_message" || (planned.type === "send_message" && now.channel === planned.channel));
  return sameKind ? { check: "kept", action: now } : { check: "removed", action: planned };
}

/**
 * Ends a step the current version no longer has `skipped` with `removed_by_edit`; `gone` when another executor
 * finished it meanwhile. An enrolment left with nothing that reached the customer or is still to run ends `skipped`
 * with it (`settleSkippedEnrolments`): it is over, and reached no one.
 */
export function skipRemovedByEdit(
  db: Db,
  step: { key: string; enrolmentId: string },
  now: Date,
): Promise<{ outcome: "skipped" | "gone"; outbox: OutboxItem[] }> {
  return withTransaction(db, async (tx) => {
    const skipped = await tx.$executeRaw`
      UPDATE campaign_steps SET status = 'skipped', reason = ${REMOVED_BY_EDIT}, done_at = ${now}, last_error = NULL
      WHERE key = ${step.key} AND status = 'pending'`;
    if (!skipped) return { outcome: "gone" as const, outbox: [] };
    return { outcome: "skipped" as const, outbox: await settleSkippedEnrolments(tx, [step.enrolmentId]) };
  });
}
