import type { ConsentChannel, ConsentPurpose, CustomerProfile } from "@regulars/contracts";
import { DomainError } from "@regulars/errors";
import { survivorsOf } from "@regulars/ledger-store";
import { currentConsents } from "../consents.ts";
import { type DbOrTx, identitiesOf, isExternal } from "../shared.ts";

interface ProfileRow {
  id: string;
  name: string | null;
  email: string | null;
  phone: string | null;
  date_of_birth: Date | null;
  created_at: Date;
  registered_at: Date | null;
  erased_at: Date | null;
  phone_verified: boolean | null;
  preferences: Record<string, unknown> | null;
}

/**
 * The customer with their profile, consents in force and push devices; not found in another tenant. A merged-away id
 * reads as the account that absorbed it (`survivorsOf`), as every change asked of it writes there
 * (`requireCustomerLocked`): its own emptied row is no longer the person's profile, and the answer's `id` says which
 * account it is. An erased customer is not found either: an empty profile would read as a customer who never filled
 * one in.
 */
export async function readProfile(db: DbOrTx, tenantId: string, askedId: string): Promise<CustomerProfile> {
  const survivor = (await survivorsOf(db, [askedId])).get(askedId);
  if (survivor?.tenantId !== tenantId) throw new DomainError("not_found", `no customer ${askedId}`);
  const customerId = survivor.survivorId;
  const [row] = await db.$queryRaw<ProfileRow[]>`
    SELECT c.id, c.name, c.email, c.phone, c.date_of_birth, c.created_at, c.erased_at, p.registered_at, p.phone_verified,
      p.preferences
    FROM customers c LEFT JOIN customer_profiles p ON p.customer_id = c.id
    WHERE c.tenant_id = ${tenantId} AND c.id = ${customerId}`;
  if (!row) throw new DomainError("not_found", `no customer ${askedId}`);
  if (row.erased_at) throw new DomainError("not_found", `no customer ${askedId}: their personal data was erased`);
  // One after another: a transaction's queries share one connection.
  const identities = await identitiesOf(db, tenantId, customerId);
  const consents = await currentConsents(db, tenantId, customerId);
  const devices = await db.$queryRaw<{ device_id: string; platform: string; updated_at: Date }[]>`
    SELECT device_id, platform, updated_at FROM customer_push_tokens
    WHERE tenant_id = ${tenantId} AND customer_id = ${customerId} ORDER BY updated_at DESC, device_id`;
  return {
    id: row.id,
    name: row.name,
    email: row.email,
    phone: row.phone,
    phoneVerified: row.phone_verified ?? false,
    dateOfBirth: row.date_of_birth?.toISOString().slice(0, 10) ?? null,
    preferences: row.preferences ?? {},
    externalIdentities: identities
      .filter((i) => isExternal(i.kind))
      .map((i) => ({ provider: i.kind.slice("ext:".length), subject: i.value })),
    registeredAt: row.registered_at?.toISOString() ?? null,
    createdAt: row.created_at.toISOString(),
    consents: consents.map((c) => ({
      channel: c.channel as ConsentChannel,
      purpose: c.purpose as ConsentPurpose,
      granted: c.granted,
      source: c.source,
      occurredAt: c.occurredAt,
    })),
    pushDevices: devices.map((d) => ({
      deviceId: d.device_id,
      platform: d.platform as "ios" | "android" | "web",
      updatedAt: d.updated_at.toISOString(),
    })),
  };
}
