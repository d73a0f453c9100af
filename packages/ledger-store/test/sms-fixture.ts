import type { HoldRequest, TransactionalSms } from "@regulars/contracts";
import type { Db, RawTx } from "@regulars/db";
import { newId } from "@regulars/ids";
import { confirmHold, type HoldDeps, type PlacedHold, placeHold, type SendConfirmationSms } from "../src/index.ts";

/**
 * The hold's SMS as these tests send it: written to `dev_messages` in the hold's own transaction, so a refused or
 * rolled-back hold sends nothing, as the real sender (messages-store's queue, tested there and end to end) does.
 */
export const smsInTransaction: SendConfirmationSms = async (tx: RawTx, sms: TransactionalSms) => {
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

let phones = 0;

/**
 * A hold spending wallet cash, confirmed with the code its customer was sent (given a phone to receive it on when they
 * have none), as a customer reading the code out at the till: its sale spends what it holds.
 */
export async function placeConfirmedHold(
  db: Db,
  deps: HoldDeps,
  tenantId: string,
  request: HoldRequest,
): Promise<PlacedHold> {
  const customerId = request.customer!.id!;
  const phone = `+48602${String(100_000 + (++phones % 900_000))}`;
  await db.$executeRaw`
    INSERT INTO customer_identities (tenant_id, kind, value, customer_id)
    SELECT ${tenantId}, 'phone', ${phone}, ${customerId}
    WHERE NOT EXISTS (SELECT 1 FROM customer_identities
                      WHERE tenant_id = ${tenantId} AND customer_id = ${customerId} AND kind = 'phone')`;
  const codes: string[] = [];
  const sending: HoldDeps = {
    ...deps,
    sendConfirmationSms: async (tx, sms) => {
      codes.push(/\b(\d{6})\b/.exec(sms.body)![1]!);
      return deps.sendConfirmationSms(tx, sms);
    },
  };
  const placed = await placeHold(sending, tenantId, request);
  await confirmHold(deps, tenantId, placed.holdId, codes[0]!);
  return placed;
}
