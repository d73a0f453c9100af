import { MAX_PREFERENCES, type ProfileField, type ProfileUpdate, type UpdateProfileRequest } from "@regulars/contracts";
import type { DbTx } from "@regulars/db";
import { DomainError } from "@regulars/errors";
import { announce, customerUpdated } from "../events.ts";
import { normalisePhone } from "../phone.ts";
import {
  type ChangeOrigin,
  type DbOrTx,
  inTransaction,
  lockIdentities,
  phoneIdentity,
  refuseFutureBirth,
  requireCustomerLocked,
} from "../shared.ts";
import { linkProvenPhone, refusePhoneOfAnother, refuseUnlinkingLastIdentity } from "./prove-phone.ts";
import { readProfile } from "./read.ts";
import { type CustomerState, loadState, saveCustomerColumns, saveProfile } from "./rows.ts";

/**
 * Changes what the request names: absent fields stay, `null` clears, preferences merge key by key (a
 * `null` value removes its key). A proven phone links the tills' customer with that number (merging it in);
 * a new unproven phone, or none, unlinks the old number from the tills, unless it is the only identity the customer
 * is found by. An unproven number another customer holds is refused. One customer.updated event names
 * the changed fields; a request that changes nothing writes nothing.
 */
export async function updateProfile(
  db: DbOrTx,
  tenantId: string,
  askedId: string,
  input: UpdateProfileRequest,
  origin: ChangeOrigin,
): Promise<ProfileUpdate> {
  const phone = input.phone ? normalisePhone(input.phone, input.country) : input.phone;
  refuseFutureBirth(input.dateOfBirth, origin.now);
  return inTransaction(db, async (tx) => {
    // Unproven too: whether another customer holds the number is read under the lock their registration takes.
    if (phone) await lockIdentities(tx, tenantId, [phoneIdentity(phone)]);
    // The survivor's id when the asked one was merged away: the answer's `customer.id` says which was changed.
    const customerId = await requireCustomerLocked(tx, tenantId, askedId);
    const before = await loadState(tx, tenantId, customerId);
    // Before any write: a refused merge leaves the whole profile as it was.
    const preferences = input.preferences ? mergePreferences(before.preferences, input.preferences) : undefined;
    const changed: ProfileField[] = [];
    const differs = <T>(field: ProfileField, now: T | undefined, was: T) => {
      if (now === undefined || now === was) return undefined;
      changed.push(field);
      return now;
    };
    await saveCustomerColumns(tx, tenantId, customerId, {
      name: differs("name", input.name, before.name),
      email: differs("email", input.email, before.email),
      dateOfBirth: differs("dateOfBirth", input.dateOfBirth, before.dateOfBirth),
    });
    const phoneChange = await changePhone(tx, tenantId, customerId, before, phone, input.phoneVerified, origin);
    changed.push(...phoneChange.changed);
    const preferencesChanged = preferences !== undefined && canonical(preferences) !== canonical(before.preferences);
    if (preferencesChanged) changed.push("preferences");
    if (changed.length) {
      const version = await saveProfile(
        tx,
        tenantId,
        customerId,
        { phoneVerified: phoneChange.verified, preferences: preferencesChanged ? preferences : undefined },
        origin.now,
      );
      await announce(tx, [customerUpdated(tenantId, customerId, version, { cause: "profile", changed }, origin.now)]);
    }
    return { changed, mergedCustomerIds: phoneChange.merged, customer: await readProfile(tx, tenantId, customerId) };
  });
}

async function changePhone(
  tx: DbTx,
  tenantId: string,
  customerId: string,
  before: CustomerState,
  phone: string | null | undefined,
  proven: boolean,
  origin: ChangeOrigin,
): Promise<{ changed: ProfileField[]; merged: string[]; verified: boolean | undefined }> {
  if (phone === undefined) return { changed: [], merged: [], verified: undefined };
  const changed: ProfileField[] = phone !== before.phone ? ["phone"] : [];
  if (phone && proven) {
    const merged = await linkProvenPhone(tx, tenantId, customerId, phone, origin);
    if (!before.phoneVerified) changed.push("phoneVerified");
    return { changed, merged, verified: true };
  }
  // The same number again, unproven: nothing to change (a proven number stays proven).
  if (phone === before.phone) return { changed: [], merged: [], verified: undefined };
  if (phone) await refusePhoneOfAnother(tx, tenantId, customerId, phone);
  await refuseUnlinkingLastIdentity(tx, tenantId, customerId);
  await tx.$executeRaw`
    DELETE FROM customer_identities WHERE tenant_id = ${tenantId} AND customer_id = ${customerId} AND kind = 'phone'`;
  await tx.$executeRaw`UPDATE customers SET phone = ${phone} WHERE tenant_id = ${tenantId} AND id = ${customerId}`;
  if (before.phoneVerified) changed.push("phoneVerified");
  return { changed, merged: [], verified: false };
}

/**
 * JSON merge patch of one level: `null` removes a key, anything else sets it. The request holds at most
 * MAX_PREFERENCES keys, but successive patches add up: the merged set is held to the same cap. A profile already
 * over it (stored before the cap was checked here) may still shrink or change values, only not grow.
 */
export function mergePreferences(
  current: Record<string, unknown>,
  patch: Record<string, unknown>,
): Record<string, unknown> {
  const next = { ...current };
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete next[key];
    else next[key] = value;
  }
  const count = Object.keys(next).length;
  if (count > MAX_PREFERENCES && count > Object.keys(current).length)
    throw new DomainError("invalid_request", `a customer keeps at most ${MAX_PREFERENCES} preferences`, [
      {
        path: "preferences",
        message: `at most ${MAX_PREFERENCES} preferences in all: this would keep ${count}; remove some with null`,
      },
    ]);
  return next;
}

/** JSON with keys in one order: Postgres's jsonb keeps its own key order, a patch another. */
const canonical = (value: Record<string, unknown>) =>
  JSON.stringify(Object.fromEntries(Object.entries(value).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))));
