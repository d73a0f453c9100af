import type { TransactionalSms } from "@regulars/contracts";
import { Prisma, type RawTx } from "@regulars/db";
import { newId } from "@regulars/ids";

/**
 * Queues a transactional SMS in the caller's transaction, so it exists exactly when what asked for it commits.
 * The sender sends it through the deployment's SMS provider ahead of any campaign's queue, with no marketing
 * consent or frequency cap to pass, and blanks its text once it is sent, failed or cancelled.
 */
export async function queueTransactionalSms(tx: RawTx, sms: TransactionalSms): Promise<{ messageId: string }> {
  const content = JSON.stringify({ channel: "sms", body: sms.body });
  const [row] = await tx.$queryRaw<{ id: string }[]>`
    INSERT INTO messages (id, tenant_id, customer_id, campaign_id, step_key, template_id, channel, language,
                          to_address, content, status, send_at, next_attempt_at, transactional, expires_at)
    VALUES (${newId("message")}, ${sms.tenantId}, ${sms.customerId}, NULL, ${sms.key}, NULL, 'sms', 'und',
            ${sms.to}, ${content}::jsonb, 'queued', ${sms.at}, ${sms.at}, true, ${sms.expiresAt})
    ON CONFLICT (step_key) DO UPDATE SET step_key = EXCLUDED.step_key -- a no-op, so RETURNING gives the first one's id
    RETURNING id`;
  return { messageId: row!.id };
}

/** What a transactional message's content says once it is used up: the table keeps no code. */
export const spentTransactionalBody = "(a one-time message: its text is not kept once it has been sent or given up)";

/** The content a message keeps once it leaves the queue: a transactional one's code is blanked, others stay. */
export const spentContent = Prisma.sql`CASE WHEN transactional
  THEN jsonb_set(content, '{body}', to_jsonb(${spentTransactionalBody}::text)) ELSE content END`;
