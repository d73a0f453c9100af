import type { Preferences } from "@regulars/contracts";
import type { DbTx } from "@regulars/db";

export interface ProfileChange {
  registeredAt?: Date;
  phoneVerified?: boolean;
  preferences?: Record<string, unknown>;
}

/**
 * Writes the customer's profile row (created on first change) and counts one more version: the
 * customer.updated event of this change takes its id from it. Returns the new version.
 */
export async function saveProfile(tx: DbTx, tenantId: string, customerId: string, change: ProfileChange, now: Date) {
  const preferences = change.preferences === undefined ? null : JSON.stringify(change.preferences);
  const [row] = await tx.$queryRaw<{ version: number }[]>`
    INSERT INTO customer_profiles (customer_id, tenant_id, registered_at, phone_verified, preferences, version, updated_at)
    VALUES (${customerId}, ${tenantId}, ${change.registeredAt ?? null}, ${change.phoneVerified ?? false},
      coalesce(${preferences}::jsonb, '{}'::jsonb), 1, ${now})
    ON CONFLICT (customer_id) DO UPDATE SET
      registered_at = coalesce(customer_profiles.registered_at, EXCLUDED.registered_at),
      phone_verified = coalesce(${change.phoneVerified ?? null}::boolean, customer_profiles.phone_verified),
      preferences = coalesce(${preferences}::jsonb, customer_profiles.preferences),
      version = customer_profiles.version + 1,
      updated_at = EXCLUDED.updated_at
    RETURNING version`;
  return row!.version;
}

export interface CustomerState {
  name: string | null;
  email: string | null;
  phone: string | null;
  dateOfBirth: string | null;
  registeredAt: Date | null;
  phoneVerified: boolean;
  preferences: Preferences;
}

/** The profile as it stands, read under the caller's lock of the customer. */
export async function loadState(tx: DbTx, tenantId: string, customerId: string): Promise<CustomerState> {
  const [row] = await tx.$queryRaw<
    {
      name: string | null;
      email: string | null;
      phone: string | null;
      date_of_birth: Date | null;
      registered_at: Date | null;
      phone_verified: boolean | null;
      preferences: Preferences | null;
    }[]
  >`
    SELECT c.name, c.email, c.phone, c.date_of_birth, p.registered_at, p.phone_verified, p.preferences
    FROM customers c LEFT JOIN customer_profiles p ON p.customer_id = c.id
    WHERE c.tenant_id = ${tenantId} AND c.id = ${customerId}`;
  if (!row) throw new Error(`customer ${customerId} vanished under its lock`);
  return {
    name: row.name,
    email: row.email,
    phone: row.phone,
    dateOfBirth: row.date_of_birth?.toISOString().slice(0, 10) ?? null,
    registeredAt: row.registered_at,
    phoneVerified: row.phone_verified ?? false,
    preferences: row.preferences ?? {},
  };
}

/** The `customers` columns of the profile; `undefined` leaves a column as it is. */
export async function saveCustomerColumns(
  tx: DbTx,
  tenantId: string,
  customerId: string,
  set: { name?: string | null; email?: string | null; phone?: string | null; dateOfBirth?: string | null },
) {
  const keep = (v: unknown) => v === undefined;
  await tx.$executeRaw`
    UPDATE customers SET
      name = CASE WHEN ${keep(set.name)} THEN name ELSE ${set.name ?? null} END,
      email = CASE WHEN ${keep(set.email)} THEN email ELSE ${set.email ?? null} END,
      phone = CASE WHEN ${keep(set.phone)} THEN phone ELSE ${set.phone ?? null} END,
      date_of_birth = CASE WHEN ${keep(set.dateOfBirth)} THEN date_of_birth ELSE ${set.dateOfBirth ?? null}::date END
    WHERE tenant_id = ${tenantId} AND id = ${customerId}`;
}

/**
 * The earliest registration among these customers and those merged into them: a person joined to an account that
 * registered before signs in, and keeps that account's sign-up time. Null when none of them registered.
 */
export async function earliestRegistration(tx: DbTx, tenantId: string, customerIds: string[]): Promise<Date | null> {
  const [row] = await tx.$queryRaw<{ registered_at: Date | null }[]>`
    SELECT min(p.registered_at) AS registered_at FROM customer_profiles p
    WHERE p.tenant_id = ${tenantId} AND (p.customer_id = ANY(${customerIds}::text[]) OR p.customer_id IN (
      SELECT m.merged_id FROM customer_merges m
      WHERE m.tenant_id = ${tenantId} AND m.into_id = ANY(${customerIds}::text[])))`;
  return row?.registered_at ?? null;
}
