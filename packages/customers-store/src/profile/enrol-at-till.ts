import type { ConsentStatement } from "@regulars/contracts";
import type { DbTx } from "@regulars/db";
import { newId } from "@regulars/ids";
import { lockSurvivor } from "@regulars/ledger-store";
import { currentConsents, recordConsents } from "../consents.ts";
import { announce, customerEnrolled } from "../events.ts";
import { normalisePhone } from "../phone.ts";
import {
  type ChangeOrigin,
  type DbOrTx,
  type Identity,
  inTransaction,
  lockIdentities,
  ownerOf,
  phoneIdentity,
  requireCustomerLocked,
} from "../shared.ts";

export interface TillEnrolment {
  /**
   * E.164 in the contracts' canonical form (`E164Phone`): the form a till's sale names the customer by. Unlike a
   * sale's, it must be valid in its country's numbering plan (`enrolAtTill`).
   */
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
  /** The till's choices not recorded: the customer had already made another for that channel and purpose. */
  consentsIgnored: Pick<ConsentStatement, "channel" | "purpose">[];
}

/**
 * A till signs a customer up by phone and records the consents they gave there (source `till:<locationId>`), so a
 * welcome message can have the consent it needs. The phone's customer is found, or created as a till's first sale
 * creates one; a merged-away customer stands for its survivor. Erasure deletes the phone's identity, so an erased
 * customer's phone enrols a new customer: nothing links the two.
 *
 * A till cannot prove the person at the counter owns the phone (a kiosk is a public screen), so it never changes a
 * choice the customer already recorded for a channel and purpose, granted or refused: it only records a choice where
 * none was ever made, and answers the ones it left alone. A new customer has none, so gets all the till's choices.
 *
 * A new customer's phone must be valid, not only of a possible length as a sale's is (`normalisePhone`, as app
 * registration reads it): a sale cannot be asked again, but a person signing up can be asked to retype, and a typo
 * enrolled would be an account that never gets an SMS, splitting the person's points from the account of their real
 * number. Its preferred spelling is the one judged, as it is the one stored: a till's `+480604100077` enrols
 * `+48604100077`.
 */
export async function enrolAtTill(
  db: DbOrTx,
  tenantId: string,
  input: TillEnrolment,
  origin: TillOrigin,
): Promise<Enrolled> {
  const phone = phoneIdentity(input.phone);
  return inTransaction(db, async (tx) => {
    // Serialises with enrolments and registrations of the same phone (either spelling: the lock is the preferred
    // one's); the ledger races on the identity's key instead.
    await lockIdentities(tx, tenantId, [phone]);
    const found = await findOrCreate(tx, tenantId, phone, origin);
    if (found.created) await announce(tx, [customerEnrolled(tenantId, found.id, origin.via, origin.now)]);
    const consentsIgnored = await recordUnmadeChoices(tx, tenantId, found.id, input, origin);
    return { customerId: found.id, created: found.created, consentsIgnored };
  });
}

/**
 * The phone's customer (by either spelling), locked. One erased since we read its identity (erasure takes no identity
 * lock) is gone.
 */
async function findOrCreate(tx: DbTx, tenantId: string, phone: Identity, origin: TillOrigin) {
  const known = await ownerOf(tx, tenantId, phone);
  const locked = known ? await lockSurvivor(tx, tenantId, known) : null;
  if (locked && !locked.erased) return { id: locked.id, created: false };
  // Only a new customer's: one a sale made under a number of a possible length is still found and enrolled.
  normalisePhone(phone.value); // refuses one that is not valid (`invalid_request` on `phone`)
  const made = await createByPhone(tx, tenantId, phone, origin);
  return { id: await requireCustomerLocked(tx, tenantId, made.id), created: made.created };
}

/**
 * The customer with this phone, created under its preferred spelling (the ledger creates by it too) unless the ledger
 * committed the same phone meanwhile: the identity's primary key decides (the insert waits for the other writer), and
 * the loser drops its row and takes the winner's customer.
 */
async function createByPhone(tx: DbTx, tenantId: string, phone: Identity, origin: TillOrigin) {
  const id = newId("customer");
  await tx.$executeRaw`
    INSERT INTO customers (id, tenant_id, phone, created_via, created_at)
    VALUES (${id}, ${tenantId}, ${phone.value}, ${origin.via}, ${origin.now})`;
  const inserted = await tx.$executeRaw`
    INSERT INTO customer_identities (tenant_id, kind, value, customer_id)
    VALUES (${tenantId}, 'phone', ${phone.value}, ${id}) ON CONFLICT DO NOTHING`;
  if (inserted) return { id, created: true };
  await tx.$executeRaw`DELETE FROM customers WHERE id = ${id}`;
  // Read committed: this statement sees the winner's identity, committed before our insert gave up.
  return { id: (await ownerOf(tx, tenantId, phone))!, created: false };
}

/**
 * Records the till's choices for the channels and purposes the customer never chose on (neither granted nor refused),
 * and answers those it left alone because the customer's recorded choice differs. One equal to the recorded choice is
 * neither: a till repeating its request changes nothing and is told nothing.
 */
async function recordUnmadeChoices(
  tx: DbTx,
  tenantId: string,
  customerId: string,
  input: TillEnrolment,
  origin: TillOrigin,
): Promise<Enrolled["consentsIgnored"]> {
  const key = (s: { channel: string; purpose: string }) => `${s.channel}/${s.purpose}`;
  const recorded = new Map((await currentConsents(tx, tenantId, customerId)).map((c) => [key(c), c.granted]));
  const consents = input.consents.filter((s) => !recorded.has(key(s)));
  if (consents.length) {
    const consentOrigin: ChangeOrigin = { actor: origin.actor, source: `till:${input.locationId}`, now: origin.now };
    await recordConsents(tx, tenantId, customerId, { consents }, consentOrigin);
  }
  return input.consents
    .filter((s) => recorded.has(key(s)) && recorded.get(key(s)) !== s.granted)
    .map(({ channel, purpose }) => ({ channel, purpose }));
}
