import type { TransactionalSms } from "@regulars/contracts";
import type { Db, DbTx } from "@regulars/db";
import { newId } from "@regulars/ids";
import type { SendConfirmationSms } from "../src/index.ts";

/**
 * The hold's SMS as these tests send it: written to `dev_messages` in the hold's own transaction, so a refused or
 * rolled-back hold sends nothing, as the real sender (messages-store's queue, tested there and end to end) does.
 */
export const smsInTransaction: SendConfirmationSms = async (tx: DbTx, sms: TransactionalSms) => {
  await tx.$executeRaw`
    INSERT INTO dev_messages (id, tenant_id, customer_id, channel, recipient, body, created_at)
    VALUES (${newId("message")}, ${sms.tenantId}, ${sms.customerId}, 'sms', ${sms.to}, ${sms.body}, ${sms.at})`;
};

/** The SMS a customer was sent, newest first. */
export async function smsSent(db: Db, tenantId: string, customerId: string) {
  return db.$queryRaw<{ recipient: string; body: string }[]>`
    SELECT recipient, body FROM dev_messages
    WHERE tenant_id = ${tenantId} AND customer_id = ${customerId} AND channel = 'sms'
    ORDER BY created_at DESC, id DESC`;
}
