import type { ProfileField } from "@regulars/contracts";
import type { DbTx } from "@regulars/db";
import { DomainError } from "@regulars/errors";
import { adoptLoyaltyState, adoptStampProgress, holdLapsed, transferBalances } from "@regulars/ledger-store";
import { announce, customerUpdated } from "../events.ts";
import { saveProfile } from "../profile/rows.ts";
import { type ChangeOrigin, identitiesOf, isExternal, lockCustomers } from "../shared.ts";
import { adoptConsents, type ConsentMergePolicy } from "./merge-consents.ts";
import { moveWalletCoupons } from "./wallet-coupons.ts";

/**
 * Merges `fromId` (a customer the tills enrolled by phone) into `intoId` (the app account that proved the
 * same phone): one person, one account. The app account keeps its id, which the app already holds.
 *
 * Moved to it: the identities (the tills find the app account by the phone and card from now on), the
 * balances (spendable and pending points lot by lot, with their expiry and release dates, a debt, wallet
 * cash: transfer_out/transfer_in movements, so both ledgers still add up and the history says what
 * happened), the sales (a refund of an earlier sale then takes its points back from the app account, and
 * spend or order tiers count them), wallet coupons (never a second welcome coupon: `moveWalletCoupons`) and coupon
 * uses (per-customer limits), the consent history (by default its choices in force only where the app account never
 * chose; `consentPolicy` says otherwise: `adoptConsents`), push devices,
 * the behavioural profile's facts (its orders then count for the app account), the
 * stamp-card progress (stamps and completed cards added card by card; a card filled by the sum is completed,
 * and its reward paid, by the next sale that stamps it), and name, e-mail and date of birth where the app
 * account has none. The loyalty state is taken over when the app account has none yet (a new account's), else
 * combined: the higher tier, the later activity (`adoptLoyaltyState`).
 *
 * Stays with the merged customer: its movements (the ledger is append-only; the points it earned still count for
 * the app account's tier, through `customer_merges`). The tier statement follows `customer_merges` one level only
 * (a recursive walk there halved the ledger's throughput), so each merge names the last survivor: the merges into
 * the merged customer (an account known by phone only that had absorbed a till's customer) are re-pointed at the
 * app account too, keeping whom they moved the rows into as `original_into_id`.
 * Refused (409) while a checkout hold of the merged customer is in force (`holdLapsed`: a hold a sale claimed before its
 * expiry stays so through the claim's grace); when the merged customer is an app account itself (its own sign-in
 * identities: two accounts, not a till's enrolment); and when either customer was merged away already (what moved
 * into a merged-away account would not reach the account the person uses).
 */
export async function mergeCustomer(
  tx: DbTx,
  tenantId: string,
  fromId: string,
  intoId: string,
  origin: ChangeOrigin,
  consentPolicy: ConsentMergePolicy = "survivor",
): Promise<void> {
  await lockCustomers(tx, tenantId, [fromId, intoId]);
  // Every merge takes both locks, so no merge into either of them commits after this look-up.
  const mergedAway = await tx.$queryRaw<{ merged_id: string }[]>`
    SELECT merged_id FROM customer_merges WHERE tenant_id = ${tenantId} AND merged_id IN (${fromId}, ${intoId})`;
  if (mergedAway.some((m) => m.merged_id === intoId))
    throw new DomainError("conflict", "this account was merged into another account; sign in with that one");
  if (mergedAway.length)
    throw new DomainError("conflict", `customer ${fromId} was merged into another account already`);
  if ((await identitiesOf(tx, tenantId, fromId)).some((i) => isExternal(i.kind)))
    throw new DomainError(
      "conflict",
      "this phone number belongs to another app account of this brand; sign in with that one",
    );
  // The claiming sale, however late it is applied, must find the held points with the customer the hold names.
  const [held] = await tx.$queryRaw<{ n: bigint }[]>`
    SELECT count(*) AS n FROM checkout_holds
    WHERE tenant_id = ${tenantId} AND customer_id = ${fromId} AND status = 'held' AND NOT ${holdLapsed(origin.now)}`;
  if (held && held.n > 0n)
    throw new DomainError(
      "conflict",
      "the customer with this phone number has a checkout in progress at a till; try again in a few minutes",
    );

  const balances = await transferBalances(tx, tenantId, fromId, intoId, origin.now);
  const moved = {
    identities: await move(tx, "customer_identities", tenantId, fromId, intoId),
    transactions: await move(tx, "transactions", tenantId, fromId, intoId),
    ...(await moveWalletCoupons(tx, tenantId, fromId, intoId)),
    couponUses: await move(tx, "coupon_uses", tenantId, fromId, intoId),
    consents: await adoptConsents(tx, tenantId, fromId, intoId, origin, consentPolicy),
    pushDevices: await move(tx, "customer_push_tokens", tenantId, fromId, intoId),
    profileOrders: await move(tx, "profile_orders", tenantId, fromId, intoId),
    stampCards: await adoptStampProgress(tx, tenantId, fromId, intoId),
    ...balances,
  };
  const changed = await fillProfileGaps(tx, tenantId, fromId, intoId);
  await adoptLoyaltyState(tx, tenantId, fromId, intoId, origin.now);
  await tx.$executeRaw`
    UPDATE customer_merges SET original_into_id = coalesce(original_into_id, into_id), into_id = ${intoId}
    WHERE tenant_id = ${tenantId} AND into_id = ${fromId}`;
  await tx.$executeRaw`
    INSERT INTO customer_merges (merged_id, tenant_id, into_id, merged_at, moved)
    VALUES (${fromId}, ${tenantId}, ${intoId}, ${origin.now}, ${JSON.stringify(moved)}::jsonb)`;
  const preferences = await preferencesToAdopt(tx, tenantId, fromId, intoId);
  if (preferences) changed.push("preferences");
  const version = await saveProfile(tx, tenantId, intoId, preferences ? { preferences } : {}, origin.now);
  await announce(tx, [
    customerUpdated(tenantId, intoId, version, { cause: "merge", changed, mergedCustomerId: fromId }, origin.now),
  ]);
}

/** Name, e-mail and date of birth of the merged customer where the survivor has none; the fields it filled. */
async function fillProfileGaps(tx: DbTx, tenantId: string, fromId: string, intoId: string): Promise<ProfileField[]> {
  const [gaps] = await tx.$queryRaw<{ name: boolean; email: boolean; date_of_birth: boolean }[]>`
    SELECT i.name IS NULL AND f.name IS NOT NULL AS name, i.email IS NULL AND f.email IS NOT NULL AS email,
      i.date_of_birth IS NULL AND f.date_of_birth IS NOT NULL AS date_of_birth
    FROM customers i, customers f WHERE i.id = ${intoId} AND f.id = ${fromId} AND f.tenant_id = ${tenantId}`;
  if (!gaps || !(gaps.name || gaps.email || gaps.date_of_birth)) return [];
  await tx.$executeRaw`
    UPDATE customers i SET name = coalesce(i.name, f.name), email = coalesce(i.email, f.email),
      date_of_birth = coalesce(i.date_of_birth, f.date_of_birth)
    FROM customers f WHERE i.id = ${intoId} AND f.id = ${fromId} AND f.tenant_id = ${tenantId}`;
  const filled: ProfileField[] = [];
  if (gaps.name) filled.push("name");
  if (gaps.email) filled.push("email");
  if (gaps.date_of_birth) filled.push("dateOfBirth");
  return filled;
}

/**
 * The merged customer's preferences where the survivor has none: the survivor may be a bare customer a till enrolled
 * by the app's sign-in identity, merging the account that signed up (with its language, say) when the app proves its
 * phone. A survivor with preferences of its own keeps them whole (a union could pass the cap of 50).
 */
async function preferencesToAdopt(tx: DbTx, tenantId: string, fromId: string, intoId: string) {
  const [row] = await tx.$queryRaw<{ preferences: Record<string, unknown> }[]>`
    SELECT f.preferences FROM customer_profiles f
    LEFT JOIN customer_profiles i ON i.customer_id = ${intoId} AND i.tenant_id = ${tenantId}
    WHERE f.customer_id = ${fromId} AND f.tenant_id = ${tenantId} AND f.preferences <> '{}'::jsonb
      AND coalesce(i.preferences, '{}'::jsonb) = '{}'::jsonb`;
  return row?.preferences ?? null;
}

type MovedTable = "customer_identities" | "transactions" | "coupon_uses" | "customer_push_tokens" | "profile_orders";

/**
 * Repoints one table's rows of the merged customer. A literal statement per table rather than one with the name
 * spliced in: packages/db's table-owners test finds who writes a table by the names its SQL spells.
 */
function move(tx: DbTx, table: MovedTable, tenantId: string, fromId: string, intoId: string): Promise<number> {
  switch (table) {
    case "customer_identities":
      return tx.$executeRaw`
        UPDATE customer_identities SET customer_id = ${intoId}
        WHERE tenant_id = ${tenantId} AND customer_id = ${fromId}`;
    case "transactions":
      return tx.$executeRaw`
        UPDATE transactions SET customer_id = ${intoId}
        WHERE tenant_id = ${tenantId} AND customer_id = ${fromId}`;
    case "coupon_uses":
      return tx.$executeRaw`
        UPDATE coupon_uses SET customer_id = ${intoId}
        WHERE tenant_id = ${tenantId} AND customer_id = ${fromId}`;
    case "customer_push_tokens":
      return tx.$executeRaw`
        UPDATE customer_push_tokens SET customer_id = ${intoId}
        WHERE tenant_id = ${tenantId} AND customer_id = ${fromId}`;
    case "profile_orders":
      return tx.$executeRaw`
        UPDATE profile_orders SET customer_id = ${intoId}
        WHERE tenant_id = ${tenantId} AND customer_id = ${fromId}`;
  }
}
