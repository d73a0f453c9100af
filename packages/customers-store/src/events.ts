import type { CustomerEvent, ProfileField } from "@regulars/contracts";
import type { DbTx } from "@regulars/db";
import { outboxItem, writeOutbox } from "@regulars/ledger-store";

/**
 * The profile's domain events, written to the outbox in the caller's transaction (published after the
 * commit, or by the relay). Ids come from what caused them: a customer is created once, a profile
 * version changes once, a consent row is written once, so a replay writes nothing new.
 */
export async function announce(tx: DbTx, events: CustomerEvent[]): Promise<void> {
  await writeOutbox(tx, events.map(outboxItem));
}

export const customerCreated = (
  tenantId: string,
  customerId: string,
  fields: ProfileField[],
  now: Date,
): CustomerEvent => ({
  type: "customer.created",
  id: `customer.created:${customerId}`,
  tenantId,
  customerId,
  occurredAt: now.toISOString(),
  via: "app",
  cause: "registration",
  fields,
});

/** A customer a till enrolled by phone: announced as a till's first sale announces its customer, but as an enrolment. */
export const customerEnrolled = (tenantId: string, customerId: string, via: string, now: Date): CustomerEvent => ({
  type: "customer.created",
  id: `customer.created:${customerId}`,
  tenantId,
  customerId,
  occurredAt: now.toISOString(),
  via,
  cause: "enrolment",
  identity: "phone",
  fields: ["phone"],
});

export const customerUpdated = (
  tenantId: string,
  customerId: string,
  version: number,
  change: { cause: "registration" | "profile" | "merge"; changed: ProfileField[]; mergedCustomerId?: string },
  now: Date,
): CustomerEvent => ({
  type: "customer.updated",
  id: `customer.updated:${customerId}:${version}`,
  tenantId,
  customerId,
  occurredAt: now.toISOString(),
  cause: change.cause,
  changed: change.changed,
  mergedCustomerId: change.mergedCustomerId ?? null,
});
