import { issueRegistrationCoupons } from "@regulars/checkout-store";
import type { ProfileField, RegisterCustomerRequest, Registration } from "@regulars/contracts";
import type { DbTx } from "@regulars/db";
import { DomainError } from "@regulars/errors";
import { newId } from "@regulars/ids";
import { recordConsents } from "../consents.ts";
import { announce, customerCreated, customerUpdated } from "../events.ts";
import { normalisePhone } from "../phone.ts";
import {
  type ChangeOrigin,
  type DbOrTx,
  externalIdentity,
  type Identity,
  identitiesOf,
  inTransaction,
  lockCustomers,
  lockIdentities,
  ownerOf,
  phoneIdentity,
  refuseFutureBirth,
} from "../shared.ts";
import { linkProvenPhone, refusePhoneOfAnother } from "./prove-phone.ts";
import { readProfile } from "./read.ts";
import { type CustomerState, earliestRegistration, loadState, saveCustomerColumns, saveProfile } from "./rows.ts";
import { mergePreferences } from "./update.ts";

interface Registering {
  tenantId: string;
  input: RegisterCustomerRequest;
  ext: Identity | null;
  /** E.164; `proven` when the app backend verified it. */
  phone: string | null;
  proven: string | null;
  origin: ChangeOrigin;
}

/** A registration and the profile fields it changed (names only), which an admin's registration audits. */
export type RegistrationWithChanges = Registration & { changed: ProfileField[] };

/**
 * An app sign-up. Idempotent by identity: the external identity (or, without one, the proven phone) that
 * registered before answers the same customer and changes nothing but a newly proven phone. A proven
 * phone the tills already know, or a sign-in identity a till named a customer by before anyone registered it,
 * makes that customer the app account (`linked`): their points and history are theirs already. An unproven
 * phone is kept on the profile only: a number typed in an app proves nothing, and linking it would hand
 * someone else's points to whoever typed it. One another customer holds is refused (`refusePhoneOfAnother`).
 */
export async function registerCustomer(
  db: DbOrTx,
  tenantId: string,
  input: RegisterCustomerRequest,
  origin: ChangeOrigin,
): Promise<Registration> {
  const { changed: _, ...registration } = await registerCustomerWithChanges(db, tenantId, input, origin);
  return registration;
}

/** `registerCustomer`, also naming the fields it changed: a sign-in may replace the proven phone. */
export async function registerCustomerWithChanges(
  db: DbOrTx,
  tenantId: string,
  input: RegisterCustomerRequest,
  origin: ChangeOrigin,
): Promise<RegistrationWithChanges> {
  const phone = input.phone ? normalisePhone(input.phone, input.country) : null;
  refuseFutureBirth(input.dateOfBirth, origin.now);
  const proven = phone && input.phoneVerified ? phone : null;
  const ext = input.externalIdentity ? externalIdentity(input.externalIdentity) : null;
  const r: Registering = { tenantId, input, ext, phone, proven, origin };
  return inTransaction(db, async (tx) => {
    // The phone's lock, proven or not: an unproven one is refused when another customer holds it, read under it.
    await lockIdentities(
      tx,
      tenantId,
      [ext, phone ? phoneIdentity(phone) : null].filter((i) => i !== null),
    );
    const registration = await register(tx, r);
    // A first sign-up (a new customer, or a till's customer becoming an app account) gets the welcome coupons.
    if (registration.outcome !== "existing") await issueRegistrationCoupons(tx, tenantId, registration.customer.id);
    return registration;
  });
}

async function register(tx: DbTx, r: Registering): Promise<RegistrationWithChanges> {
  const registered = r.ext && (await ownerOf(tx, r.tenantId, r.ext));
  if (registered) return registerAgain(tx, r, registered);
  const known = r.proven && (await ownerOf(tx, r.tenantId, phoneIdentity(r.proven)));
  if (known) return link(tx, r, known);
  return create(tx, r);
}

async function registerAgain(tx: DbTx, r: Registering, customerId: string): Promise<RegistrationWithChanges> {
  const { tenantId, proven } = r;
  await lockCustomers(tx, tenantId, [customerId]);
  const before = await loadState(tx, tenantId, customerId);
  // Tills may name a customer by an app sign-in identity (batch-triage creates them bare): the first registration
  // of that identity is the sign-up, with its profile, consents and welcome coupons, not a sign-in again. Unless the
  // proven phone is an account that registered already: the same person signing in, whose sign-up was then.
  const phoneOwner = proven && (await ownerOf(tx, tenantId, phoneIdentity(proven)));
  const registeredAt =
    before.registeredAt ?? (await earliestRegistration(tx, tenantId, [customerId, phoneOwner || customerId]));
  if (!registeredAt) return becomeAppAccount(tx, r, customerId, before, { identityAdded: false });
  return signIn(tx, r, customerId, before, { registeredAt, identityAdded: false });
}

/**
 * A registration of someone whose account signed up before (at `registeredAt`, itself or a customer merged into it):
 * they are signing in. The request's profile, consents and preferences are not a sign-up's (the account's own stand),
 * no registration is announced and no welcome coupon issued; only a newly proven phone or sign-in identity changes
 * it. The caller holds the customer's lock.
 */
async function signIn(
  tx: DbTx,
  r: Registering,
  customerId: string,
  before: CustomerState,
  { registeredAt, identityAdded }: { registeredAt: Date; identityAdded: boolean },
): Promise<RegistrationWithChanges> {
  const { tenantId, proven, origin } = r;
  // Only a customer not registered itself takes the registration time of the account merged into it.
  const stamp = before.registeredAt ? undefined : registeredAt;
  // The merge keeps this customer (it holds the sign-in identity; an app account is never merged away).
  const merged = proven ? await linkProvenPhone(tx, tenantId, customerId, proven, origin) : [];
  const changed: ProfileField[] = [
    ...(proven && before.phone !== proven ? (["phone"] as const) : []),
    ...(proven && !before.phoneVerified ? (["phoneVerified"] as const) : []),
    ...(identityAdded ? (["externalIdentities"] as const) : []),
  ];
  if (changed.length || stamp) {
    const change = { phoneVerified: proven ? true : undefined, registeredAt: stamp };
    const version = await saveProfile(tx, tenantId, customerId, change, origin.now);
    await announce(tx, [customerUpdated(tenantId, customerId, version, { cause: "profile", changed }, origin.now)]);
  }
  const customer = await readProfile(tx, tenantId, customerId);
  return { outcome: "existing", changed, mergedCustomerIds: merged, customer };
}

/** The customer with the proven phone: a till's becomes the app account, an account that signed up signs in. */
async function link(tx: DbTx, r: Registering, customerId: string): Promise<RegistrationWithChanges> {
  const { tenantId, ext } = r;
  await lockCustomers(tx, tenantId, [customerId]);
  const before = await loadState(tx, tenantId, customerId);
  // The phone's account (or one merged into it) signed up before: the same person signing in, now also with this
  // sign-in identity. Only a till's customer that never registered becomes the app account.
  const registeredAt = before.registeredAt ?? (await earliestRegistration(tx, tenantId, [customerId]));
  if (ext) {
    const sameProvider = (await identitiesOf(tx, tenantId, customerId)).find((i) => i.kind === ext.kind);
    if (sameProvider)
      throw new DomainError(
        "conflict",
        `this phone number belongs to another ${ext.kind.slice(4)} account of this brand; sign in with that one`,
      );
    const inserted = await tx.$executeRaw`
      INSERT INTO customer_identities (tenant_id, kind, value, customer_id)
      VALUES (${tenantId}, ${ext.kind}, ${ext.value}, ${customerId}) ON CONFLICT DO NOTHING`;
    // A till named a customer by this sign-in identity since our look-up (batch-triage creates them bare, without
    // our locks): that customer holds it now, so the registration is theirs, and the proven phone links to them.
    if (!inserted) return register(tx, r);
  }
  if (registeredAt) return signIn(tx, r, customerId, before, { registeredAt, identityAdded: ext !== null });
  return becomeAppAccount(tx, r, customerId, before, { identityAdded: ext !== null });
}

/**
 * A customer the tills know (found by the proven phone, or by the sign-in identity a till named them by) becomes
 * the app account (`linked`): the request's profile, consents and registration time, announced as a registration.
 * What the request leaves out stays as the tills left it. The caller holds the customer's lock.
 */
async function becomeAppAccount(
  tx: DbTx,
  r: Registering,
  customerId: string,
  before: CustomerState,
  { identityAdded }: { identityAdded: boolean },
): Promise<RegistrationWithChanges> {
  const { tenantId, input, proven, origin } = r;
  // An unproven number only where the customer has none: the tills may find them by the one they have.
  const typedPhone = !proven && r.phone && !before.phone ? r.phone : undefined;
  if (typedPhone) await refusePhoneOfAnother(tx, tenantId, customerId, typedPhone);
  await saveCustomerColumns(tx, tenantId, customerId, {
    name: input.name,
    email: input.email,
    dateOfBirth: input.dateOfBirth,
    phone: typedPhone,
  });
  const merged = proven ? await linkProvenPhone(tx, tenantId, customerId, proven, origin) : [];
  // Held to the same cap as a profile update: what a till's customer had plus what the app sends.
  const preferences = input.preferences ? mergePreferences(before.preferences, input.preferences) : undefined;
  const version = await saveProfile(
    tx,
    tenantId,
    customerId,
    { registeredAt: origin.now, phoneVerified: proven ? true : undefined, preferences },
    origin.now,
  );
  const phoneChanged = proven ? before.phone !== proven : typedPhone !== undefined;
  const changed = givenFields(r).filter(
    (f) => (f !== "phone" || phoneChanged) && (f !== "externalIdentities" || identityAdded),
  );
  await announce(tx, [customerUpdated(tenantId, customerId, version, { cause: "registration", changed }, origin.now)]);
  await consentsGiven(tx, r, customerId);
  const customer = await readProfile(tx, tenantId, customerId);
  return { outcome: "linked", changed, mergedCustomerIds: merged, customer };
}

async function create(tx: DbTx, r: Registering): Promise<RegistrationWithChanges> {
  const { tenantId, input, ext, origin } = r;
  if (r.phone && !r.proven) await refusePhoneOfAnother(tx, tenantId, null, r.phone);
  const id = newId("customer");
  await tx.$executeRaw`
    INSERT INTO customers (id, tenant_id, name, email, phone, date_of_birth, created_via, created_at)
    VALUES (${id}, ${tenantId}, ${input.name ?? null}, ${input.email ?? null}, ${r.phone},
      ${input.dateOfBirth ?? null}::date, 'app', ${origin.now})`;
  if (ext) {
    const inserted = await tx.$executeRaw`
      INSERT INTO customer_identities (tenant_id, kind, value, customer_id)
      VALUES (${tenantId}, ${ext.kind}, ${ext.value}, ${id}) ON CONFLICT DO NOTHING`;
    if (!inserted) {
      // A till enrolled this sign-in identity a moment ago (tills may name customers by it too): theirs it is,
      // and this registration makes that customer the app account.
      await tx.$executeRaw`DELETE FROM customers WHERE id = ${id}`;
      return register(tx, r);
    }
  }
  await saveProfile(
    tx,
    tenantId,
    id,
    { registeredAt: origin.now, phoneVerified: r.proven !== null, preferences: input.preferences },
    origin.now,
  );
  const changed = givenFields(r);
  await announce(tx, [customerCreated(tenantId, id, changed, origin.now)]);
  // A till may have enrolled the proven number since our look-up: linking merges that customer in.
  const merged = r.proven ? await linkProvenPhone(tx, tenantId, id, r.proven, origin) : [];
  await consentsGiven(tx, r, id);
  return { outcome: "created", changed, mergedCustomerIds: merged, customer: await readProfile(tx, tenantId, id) };
}

async function consentsGiven(tx: DbTx, r: Registering, customerId: string) {
  if (!r.input.consents?.length) return;
  await recordConsents(
    tx,
    r.tenantId,
    customerId,
    { consents: r.input.consents, occurredAt: r.input.consentedAt, occurredAtField: "consentedAt" },
    { ...r.origin, source: r.input.consentSource ?? r.origin.source },
  );
}

/** The profile fields a registration sets (names only: events never carry the personal data). */
function givenFields(r: Registering): ProfileField[] {
  const { input } = r;
  const fields: ProfileField[] = [];
  if (input.name !== undefined) fields.push("name");
  if (input.email !== undefined) fields.push("email");
  if (r.phone) fields.push("phone");
  if (r.proven) fields.push("phoneVerified");
  if (input.dateOfBirth !== undefined) fields.push("dateOfBirth");
  if (input.preferences !== undefined) fields.push("preferences");
  if (r.ext) fields.push("externalIdentities");
  return fields;
}
