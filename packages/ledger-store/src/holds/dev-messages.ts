import type { Db, DbTx } from "@regulars/db";
import { newId } from "@regulars/ids";

export type DevMessageChannel = "sms" | "email" | "push";

export interface DevMessage {
  id: string;
  channel: DevMessageChannel;
  recipient: string;
  body: string;
  createdAt: string;
}

/**
 * The development message sink: records a message instead of sending it, until real channel providers
 * exist. Written in the caller's transaction, so a message is "sent" only when what decided it commits.
 */
export async function recordDevMessage(
  tx: DbTx,
  message: { tenantId: string; customerId: string | null; channel: DevMessageChannel; recipient: string; body: string },
  at: Date,
): Promise<void> {
  await tx.$executeRaw`
    INSERT INTO dev_messages (id, tenant_id, customer_id, channel, recipient, body, created_at)
    VALUES (${newId("message")}, ${message.tenantId}, ${message.customerId}, ${message.channel},
            ${message.recipient}, ${message.body}, ${at})`;
}

/** A customer's messages in the sink, newest first: how tests and development setups read a code that was sent. */
export async function devMessages(db: Db | DbTx, tenantId: string, customerId: string): Promise<DevMessage[]> {
  const rows = await db.$queryRaw<
    { id: string; channel: DevMessageChannel; recipient: string; body: string; created_at: Date }[]
  >`
    SELECT id, channel, recipient, body, created_at FROM dev_messages
    WHERE tenant_id = ${tenantId} AND customer_id = ${customerId}
    ORDER BY created_at DESC, id DESC`;
  return rows.map((r) => ({
    id: r.id,
    channel: r.channel,
    recipient: r.recipient,
    body: r.body,
    createdAt: r.created_at.toISOString(),
  }));
}
