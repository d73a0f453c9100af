import type { LoyaltyEvent } from "@regulars/contracts";
import type { DbTx } from "@regulars/db";

export interface OutboxItem {
  id: string;
  tenantId: string;
  type: string;
  payload: unknown;
}

/**
 * Domain events are written in the same database transaction as the change they announce, so an
 * event exists exactly when its change was committed; they are published after the commit (and by a
 * relay if the process died in between). Ids are stable, so a replay writes nothing new.
 */
export async function writeOutbox(tx: DbTx, items: OutboxItem[]): Promise<void> {
  if (!items.length) return;
  await tx.$executeRaw`
    INSERT INTO outbox_events (id, tenant_id, type, payload)
    SELECT id, tenant_id, type, payload::jsonb FROM unnest(${items.map((i) => i.id)}::text[], ${items.map((i) => i.tenantId)}::text[],
      ${items.map((i) => i.type)}::text[], ${items.map((i) => JSON.stringify(i.payload))}::text[]) AS o(id, tenant_id, type, payload)
    ON CONFLICT (id) DO NOTHING`;
}

export const outboxItem = (event: LoyaltyEvent | { id: string; tenantId: string; type: string }): OutboxItem => ({
  id: event.id,
  tenantId: event.tenantId,
  type: event.type,
  payload: event,
});
