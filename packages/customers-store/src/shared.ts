import { phoneSpellings } from "@regulars/contracts";
import { type Db, type DbTx, withTransaction } from "@regulars/db";
import { DomainError } from "@regulars/errors";
import { lockSurvivor } from "@regulars/ledger-store";

export type DbOrTx = Db | DbTx;

/** Runs `fn` in the caller's transaction when given one, else in a new one (a transaction client cannot connect). */
const isClient = (db: DbOrTx): db is Db => "$connect" in db;
export const inTransaction = <T>(db: DbOrTx, fn: (tx: DbTx) => Promise<T>): Promise<T> =>
  isClient(db) ? withTransaction(db, fn) : fn(db);

/** Who made a change: the API key (null for the system) and where, as consents and audit rows record it. */
export interface ChangeOrigin {
  actor: string | null;
  /** `app`, `app:onboarding`, `admin`, ...: kept with every consent choice as its source. */
  source: string;
  /** The clock; tests pin it. */
  now: Date;
}

export interface Identity {
  kind: string;
  value: string;
}

/**
 * A phone's identity by its preferred spelling (`phoneSpellings` of @regulars/contracts: a till's `+480604100077` is
 * the app's `+48604100077`): the spelling it is locked by, looked up first (`ownerOf`) and stored under.
 */
export const phoneIdentity = (phone: string): Identity => ({ kind: "phone", value: phoneSpellings(phone).preferred });
export const externalIdentity = (ext: { provider: string; subject: string }): Identity => ({
  kind: `ext:${ext.provider}`,
  value: ext.subject,
});
export const isExternal = (kind: string) => kind.startsWith("ext:");

/**
 * Serialises registrations of the same identity (the ledger worker's customer creation races on the
 * identity's primary key instead, which the callers handle). Taken in one sorted statement, so two
 * registrations naming the same two identities never wait for each other in opposite orders.
 */
export async function lockIdentities(tx: DbTx, tenantId: string, identities: Identity[]): Promise<void> {
  const keys = [...new Set(identities.map((i) => JSON.stringify([tenantId, i.kind, i.value])))].sort();
  if (keys.length)
    await tx.$queryRaw`SELECT count(pg_advisory_xact_lock(hashtextextended(k, 7))) FROM (SELECT unnest(${keys}::text[]) AS k ORDER BY 1) AS ks`;
}

/**
 * The customers' rows, locked in id order: the ledger worker takes the same locks before it applies a
 * customer's sales, so a merge or a profile change and a sale of the same customer never interleave.
 */
export async function lockCustomers(tx: DbTx, tenantId: string, ids: string[]): Promise<Set<string>> {
  const sorted = [...new Set(ids)].sort();
  const rows = await tx.$queryRaw<{ id: string }[]>`
    SELECT id FROM customers WHERE tenant_id = ${tenantId} AND id = ANY(${sorted}::text[]) ORDER BY id FOR UPDATE`;
  return new Set(rows.map((r) => r.id));
}

/**
 * Locks the customer and answers the id to write to, or answers not found (another tenant's customer is as unknown
 * as none). A merged-away id stands for its survivor, also when the merge committed while this waited for the lock
 * (`lockSurvivor`): a profile, consent or device written to the emptied row would reach nobody. An erased customer
 * is none either: nothing re-scrubs its row, so a profile, consent or device written to it would outlive the erasure.
 */
export async function requireCustomerLocked(tx: DbTx, tenantId: string, customerId: string): Promise<string> {
  const customer = await lockSurvivor(tx, tenantId, customerId);
  if (!customer || customer.erased) throw new DomainError("not_found", `no customer ${customerId}`);
  return customer.id;
}

/**
 * The customer holding the identity. A phone by each of its spellings: when two customers hold one each (split before
 * look-ups knew both, until `foldPhoneSpellings` merges them), the preferred (valid) spelling's, as the ledger finds it.
 */
export async function ownerOf(tx: DbOrTx, tenantId: string, identity: Identity): Promise<string | null> {
  const spellings = identity.kind === "phone" ? phoneSpellings(identity.value).all : [identity.value];
  const [row] = await tx.$queryRaw<{ customer_id: string }[]>`
    SELECT customer_id FROM customer_identities
    WHERE tenant_id = ${tenantId} AND kind = ${identity.kind} AND value = ANY(${spellings}::text[])
    ORDER BY array_position(${spellings}::text[], value) LIMIT 1`;
  return row?.customer_id ?? null;
}

export async function identitiesOf(tx: DbOrTx, tenantId: string, customerId: string): Promise<Identity[]> {
  return tx.$queryRaw<Identity[]>`
    SELECT kind, value FROM customer_identities WHERE tenant_id = ${tenantId} AND customer_id = ${customerId}
    ORDER BY created_at, kind, value`;
}

/** A date of birth after the day the request is made (UTC, a day's slack for time zones ahead) is a typo. */
export function refuseFutureBirth(dateOfBirth: string | null | undefined, now: Date): void {
  if (!dateOfBirth) return;
  const latest = new Date(now.getTime() + 24 * 3_600_000).toISOString().slice(0, 10);
  if (dateOfBirth > latest)
    throw new DomainError("invalid_request", "the date of birth lies in the future", [
      { path: "dateOfBirth", message: "must not be in the future" },
    ]);
}
