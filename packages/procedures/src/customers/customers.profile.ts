import { recordAudit } from "@regulars/audit";
import type { ConsentState, ProfileUpdate, RegisterCustomerRequest, Registration } from "@regulars/contracts";
import {
  type ConsentHistoryPage,
  consentHistory,
  registerCustomerWithChanges,
  requireCustomerLocked,
  setConsents,
  updateProfile,
} from "@regulars/customers-store";
import { type Db, withTransaction } from "@regulars/db";
import type { ConsentHistoryInput, SetConsentsInput, UpdateProfileInput } from "./customers.profile.types.ts";
import { survivorIdOf } from "./customers.survivor.ts";

/**
 * An admin's registration, profile change and consents: the same store functions the app's routes call,
 * each with its audit row in the same transaction. The audit names fields and outcomes, not personal data.
 * A merged-away id stands for its survivor, which holds the profile and consents since the merge: the store
 * resolves it under the customer's lock (`requireCustomerLocked`), so also when a merge commits meanwhile.
 */
export async function registerAsAdmin(
  db: Db,
  tenantId: string,
  actor: string,
  input: RegisterCustomerRequest,
  now = new Date(),
): Promise<Registration> {
  return withTransaction(db, async (tx) => {
    const origin = { actor, source: "admin", now };
    const { changed, ...registration } = await registerCustomerWithChanges(tx, tenantId, input, origin);
    // A registration found `existing` is a sign-in, which may still replace the proven phone: audited as a profile
    // update is, by the fields it changed.
    if (registration.outcome !== "existing" || changed.length || registration.mergedCustomerIds.length)
      await recordAudit(tx, {
        tenantId,
        actor,
        action: "customers.register",
        target: registration.customer.id,
        details: { outcome: registration.outcome, changed, mergedCustomerIds: registration.mergedCustomerIds },
      });
    return registration;
  });
}

export async function updateProfileAsAdmin(
  db: Db,
  tenantId: string,
  actor: string,
  input: UpdateProfileInput,
  now = new Date(),
): Promise<ProfileUpdate> {
  const { customerId: asked, ...changes } = input;
  return withTransaction(db, async (tx) => {
    const update = await updateProfile(tx, tenantId, asked, changes, { actor, source: "admin", now });
    if (update.changed.length)
      await recordAudit(tx, {
        tenantId,
        actor,
        action: "customers.updateProfile",
        target: update.customer.id,
        details: { changed: update.changed, mergedCustomerIds: update.mergedCustomerIds },
      });
    return update;
  });
}

export async function setConsentsAsAdmin(
  db: Db,
  tenantId: string,
  actor: string,
  input: SetConsentsInput,
  now = new Date(),
): Promise<{ consents: ConsentState[] }> {
  const { consents, occurredAt } = input;
  const source = input.source ?? "admin";
  return withTransaction(db, async (tx) => {
    // Locked first, so the audit names the customer the consents were written to.
    const customerId = await requireCustomerLocked(tx, tenantId, input.customerId);
    const inForce = await setConsents(tx, tenantId, customerId, { consents, occurredAt }, { actor, source, now });
    await recordAudit(tx, {
      tenantId,
      actor,
      action: "customers.setConsents",
      target: customerId,
      details: { consents, source, occurredAt: occurredAt ?? now.toISOString() },
    });
    return { consents: inForce };
  });
}

export const customerConsentHistory = async (
  db: Db,
  tenantId: string,
  input: ConsentHistoryInput,
): Promise<ConsentHistoryPage> =>
  consentHistory(db, tenantId, await survivorIdOf(db, tenantId, input.customerId), input);
