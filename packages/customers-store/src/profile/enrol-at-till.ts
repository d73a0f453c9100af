import type { ConsentStatement } from "@regulars/contracts";
import type { DbTx } from "@regulars/db";
import { newId } from "@regulars/ids";
import { currentConsents, recordConsents } from "../consents.ts";
import { announce, customerEnrolled } from "../events.ts";
import {
  type ChangeOrigin,
  type DbOrTx,
  inTransaction,
  lockIdentities,
  ownerOf,
  phoneIdentity,
  requireCustomerLocked,
} from "../shared.ts";

export interface TillEnrolment {
  /** E.164 in the contracts' canonical form (`E164Phone`): the form a till's sale names the customer by. */
  phone: string;
  locationId: string;
  consents: ConsentStatement[];
}

/** Who enrols: the till's key (`actor`) and its role, which a customer it creates is `created_via`, as a sale's is. */
export interface TillOrigin {
  actor: string;
  via: "pos" | "kiosk";
  now: Date;
}

export interface Enrolled {
  customerId: string;
  created: boolean;
}

/**
 * A till signs a customer up by phone and records the consents they gave there (source `till:<locationId>`), so a
 * welcome message can have the consent it needs. The phone's customer is found, or created as a till's first sale
 * creates one; a merged-away customer stands for its survivor and an erased one is not found, as for the consents
 * route. Choices already in force are left alone, so a repeated request records and announces nothing.
 */
export async function enrolAtTill(
  db: DbOrTx,
  tenantId: string,
  input: TillEnrolment,
  origin: TillOrigin,
): Promise<Enrolled> {
  const identity = phoneIdentity(input.phone);
  return inTransaction(db, async (tx) => {
    // Serialises with enrolments and registrations of the same phone; the ledger races on the identity's key instead.
    await lockIdentities(tx, tenantId, [identity]);
    const known = await ownerOf(tx, tenantId, identity);
    const found = known ? { id: known, created: false } : await createByPhone(tx, tenantId, input.phone, origin);
    const customerId = await requireCustomerLocked(tx, tenantId, found.id);
    if (found.created) await announce(tx, [customerEnrolled(tenantId, customerId, origin.via, origin.now)]);
    await recordNewChoices(tx, tenantId, customerId, input, origin);
    return { customerId, created: found.created };
  });
}

/**
 * The customer with this phone, created unless the ledger committed the same phone meanwhile: the identity's primary
 * key decides (the insert waits for the other writer), and the loser drops its row and takes the winner's customer.
 */
async function createByPhone(tx: DbTx, tenantId: string, phone: string, origin: TillOrigin) {
  const id = newId("customer");
  await tx.$executeRaw`
    INSERT INTO customers (id, tenant_id, phone, created_via, created_at)
    VALUES (${id}, ${tenantId}, ${phone}, ${origin.via}, ${origin.now})`;
  const inserted = await tx.$executeRaw`
    INSERT INTO customer_identities (tenant_id, kind, value, customer_id)
    VALUES (${tenantId}, 'phone', ${phone}, ${id}) ON CONFLICT DO NOTHING`;
  if (inserted) return { id, created: true };
  await tx.$executeRaw`DELETE FROM customers WHERE id = ${id}`;
  // Read committed: this statement sees the winner's identity, committed before our insert gave up.
  return { id: (await ownerOf(tx, tenantId, phoneIdentity(phone)))!, created: false };
}

/** The consents route's recording, less the choices already in force: a till repeating its request changes nothing. */
async function recordNewChoices(
  tx: DbTx,
  tenantId: string,
  customerId: string,
  input: TillEnrolment,
  origin: TillOrigin,
) {
  const inForce = new Set(
    (await currentConsents(tx, tenantId, customerId)).map((c) => `${c.channel}/${c.purpose}/${c.granted}`),
  );
  const consents = input.consents.filter((s) => !inForce.has(`${s.channel}/${s.purpose}/${s.granted}`));
  if (!consents.length) return;
  const consentOrigin: ChangeOrigin = { actor: origin.actor, source: `till:${input.locationId}`, now: origin.now };
  await recordConsents(tx, tenantId, customerId, { consents }, consentOrigin);
}
