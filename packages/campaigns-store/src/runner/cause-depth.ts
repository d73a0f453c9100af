import { causingCampaignOf } from "@regulars/campaigns";
import type { DomainEvent } from "@regulars/contracts";
import type { Db } from "@regulars/db";
import { movementIdempotencyKey } from "@regulars/ledger-store";

/** Where a step keeps the depth of what it causes beside its action (`storedAction`); absent: 1. */
export const CAUSE_DEPTH = "causeDepth";

/**
 * The step behind a campaign-caused event, found by what the step wrote under its key: the bonus's ledger movement
 * (`bonus:<step key>`, announced as `bonus:<movement>`), the coupon's wallet row (issue key = step key, announced as
 * `coupon-issued:<wallet coupon>`), the message (`step_key`). Null when none is found, and for an enrolment (whose
 * event names it).
 */
export async function causingStepKey(db: Db, event: DomainEvent): Promise<string | null> {
  const { tenantId } = event;
  switch (event.type) {
    case "points.earned": {
      const movement = /^bonus:(.+)$/.exec(event.id)?.[1];
      if (!movement) return null;
      const key = await movementIdempotencyKey(db, tenantId, movement);
      return key?.startsWith("bonus:") ? key.slice("bonus:".length) : null;
    }
    case "coupon.issued": {
      const coupon = /^coupon-issued:(.+)$/.exec(event.id)?.[1];
      if (!coupon) return null;
      const [row] = await db.$queryRaw<{ key: string | null }[]>`
        SELECT issue_key AS key FROM wallet_coupons WHERE id = ${coupon} AND tenant_id = ${tenantId}`;
      return row?.key ?? null;
    }
    case "message.sent":
    case "message.delivered":
    case "message.failed":
    case "message.opened":
    case "message.clicked": {
      const [row] = await db.$queryRaw<{ key: string | null }[]>`
        SELECT step_key AS key FROM messages WHERE id = ${event.messageId} AND tenant_id = ${tenantId}`;
      return row?.key ?? null;
    }
    default:
      return null;
  }
}

async function stepDepth(db: Db, event: DomainEvent): Promise<number | null> {
  const key = await causingStepKey(db, event);
  if (key === null) return null;
  const [row] = await db.$queryRaw<{ depth: string | null }[]>`
    SELECT s.action->>${CAUSE_DEPTH} AS depth FROM campaign_steps s WHERE s.key = ${key} AND s.tenant_id = ${event.tenantId}`;
  return row ? Number(row.depth ?? 1) : null;
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
