/**
 * An SMS the customer's own action asked for (a till's one-time code): what the checkout hands to the messages
 * store, inside the transaction that asked for it. One shape for both sides: the hold that writes it and the queue
 * that sends it.
 */
export interface TransactionalSms {
  tenantId: string;
  customerId: string;
  /** The E.164 number it goes to: the one the till showed masked, even if the customer's number changes meanwhile. */
  to: string;
  body: string;
  /** Its idempotency key: the same key queues once (a retried hold sends no second code). */
  key: string;
  /** Worthless after this: a message still queued then is cancelled (`expired`), never sent late. */
  expiresAt: Date;
  at: Date;
}
