import { causingCampaignOf } from "@regulars/campaigns";
import type { DomainEvent } from "@regulars/contracts";
import type { Db } from "@regulars/db";
import { movementIdempotencyKey } from "@regulars/ledger-store";

/** Where a step keeps the depth of what it causes beside its action (`storedAction`); absent: 1. */
export const CAUSE_DEPTH = "causeDepth";

/**
 * The step behind a campaign-caused event, found by what the step wrote under its key: the bonus's ledger movement
 * (`bonus:<step key>`, announced as `bonus:<movement>`), the coupon's wallet row (issue key = step key, announced as
 * `coupon-issued:<wallet coupon>`), the message (`step_key`). Null when none is found.
 */
async function stepDepth(db: Db, event: DomainEvent): Promise<number | null> {
  const read = (rows: { depth: string | null }[]) => (rows[0] ? Number(rows[0].depth ?? 1) : null);
  const { tenantId } = event;
  switch (event.type) {
    case "points.earned": {
      const movement = /^bonus:(.+)$/.exec(event.id)?.[1];
      if (!movement) return null;
      const key = await movementIdempotencyKey(db, tenantId, movement);
      const stepKey = key?.startsWith("bonus:") ? key.slice("bonus:".length) : null;
      if (stepKey === null) return null;
      return read(
        await db.$queryRaw`
        SELECT s.action->>${CAUSE_DEPTH} AS depth FROM campaign_steps s WHERE s.key = ${stepKey} AND s.tenant_id = ${tenantId}`,
      );
    }
    case "coupon.issued": {
      const coupon = /^coupon-issued:(.+)$/.exec(event.id)?.[1];
      if (!coupon) return null;
      return read(
        await db.$queryRaw`
        SELECT s.action->>${CAUSE_DEPTH} AS depth FROM wallet_coupons w
        JOIN campaign_steps s ON s.key = w.issue_key AND s.tenant_id = w.tenant_id
        WHERE w.id = ${coupon} AND w.tenant_id = ${tenantId}`,
      );
    }
    case "message.sent":
    case "message.delivered":
    case "message.failed":
    case "message.opened":
    case "message.clicked":
      return read(
        await db.$queryRaw`
        SELECT s.action->>${CAUSE_DEPTH} AS depth FROM messages m
        JOIN campaign_steps s ON s.key = m.step_key AND s.tenant_id = m.tenant_id
        WHERE m.id = ${event.messageId} AND m.tenant_id = ${tenantId}`,
      );
    default:
      return null;
  }
}

/**
 * How many campaigns the chain behind the event holds (`hearsCause`): 0 for what no campaign caused; for an enrolment,
 * what its event says; for a bonus, coupon or message, what the step that made it kept when it was planned. The
 * events of those name only their campaign, and keep their published shape: the step is looked up, once per event
 * some campaign matched. 1 when nothing tells (a step planned before depths were kept, an event naming no step).
 */
export async function causeDepthOf(db: Db, event: DomainEvent): Promise<number> {
  if (causingCampaignOf(event) === null) return 0;
  if (event.type === "campaign.enrolled") return event.causeDepth ?? 1;
  const depth = await stepDepth(db, event);
  return depth !== null && Number.isInteger(depth) && depth >= 1 ? depth : 1;
}
