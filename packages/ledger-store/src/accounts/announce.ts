import type { LoyaltyEvent } from "@regulars/contracts";
import type { RawTx } from "@regulars/db";
import { movementEvents, type NewMovement, type PostedMovement } from "@regulars/ledger";
import { type OutboxItem, outboxBatch, outboxItem, writeOutbox } from "../outbox.ts";
import { pseudonymiseErasedCustomers } from "./erased-events.ts";
import { trackMilestones } from "./milestones.ts";
import { postMovementsDetailed } from "./movements.ts";

export interface Announced {
  posted: PostedMovement[];
  /** Everything written to the outbox, to publish once the caller's transaction has committed. */
  outbox: OutboxItem[];
}

/**
 * The one way the ledger changes balances: post the movements (entries, lots, cached balances), then
 * announce them (points.* events, milestones crossed per the tenant's thresholds) with the caller's own
 * events, all written to the outbox in the caller's transaction. The ledger batch, action points, the
 * scheduled jobs and admin adjustments all go through here.
 *
 * An erased customer's movements are posted (their balance stays right for the accounts) and announced under a
 * pseudonym: see `pseudonymiseErasedCustomers`.
 */
export async function postAndAnnounce(
  tx: RawTx,
  movements: NewMovement[],
  opts: {
    milestonesOf: (tenantId: string) => number[];
    events?: LoyaltyEvent[];
    extraOutbox?: OutboxItem[];
    /** The events as one outbox row per tenant (`outboxBatch`), for a writer that announces hundreds at a time. */
    batch?: boolean;
  },
): Promise<Announced> {
  const posted = await postMovementsDetailed(tx, movements);
  const events: LoyaltyEvent[] = [...(opts.events ?? []), ...movementEvents(posted)];
  for (const tenantId of new Set(posted.map((p) => p.tenantId))) {
    events.push(
      ...(await trackMilestones(
        tx,
        opts.milestonesOf(tenantId),
        posted.filter((p) => p.tenantId === tenantId),
      )),
    );
  }
  const items = await pseudonymiseErasedCustomers(tx, [...(opts.extraOutbox ?? []), ...events.map(outboxItem)]);
  const outbox = opts.batch ? outboxBatch(items) : items;
  await writeOutbox(tx, outbox);
  return { posted, outbox };
}
