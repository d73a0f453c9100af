import { type BasketDifference, type HeldBasket, type SaleBasket, saleBasketDifference } from "@regulars/checkout";
import { type CustomerRef, identityOf } from "@regulars/contracts";
import { type Db, Prisma, type SqlReader, sqlArray } from "@regulars/db";
import { stableId } from "@regulars/ids";
import { identityOwner, spelledIdentity } from "../customers/identity-owner.ts";
import { survivorsStatement } from "../customers/resolve.ts";
import { holdLapsed } from "./release.ts";

/** A sale as posted, with the hold it names (if any) and its customer. */
export interface SaleNamingHold extends SaleBasket {
  type: "sale" | "refund";
  externalId: string;
  holdId?: string | null;
  customer?: CustomerRef | null;
}

/**
 * Why the ledger would not commit the hold a sale names: `hold_used` for a hold another transaction claimed or
 * committed (`by`: that sale's `externalId` when known), `hold_ended` for one that reserves nothing any more (`ended`:
 * voided or otherwise released, expired or past its expiry at `expiresAt`, or not a hold of the tenant), and, for a
 * hold still held, `hold_mismatch` for a sale of another basket (`issue` names its first difference) or of another
 * customer than the hold's (`customer`), `hold_unconfirmed` for a hold still waiting for its customer's one-time code
 * (`codeExpiresAt`: when the code stops being usable).
 */
export type SaleHoldRefusal =
  | { code: "hold_used"; committed: boolean; by: string | null }
  | { code: "hold_ended"; ended: HoldEnding; expiresAt: Date | null }
  | { code: "hold_mismatch"; issue: BasketDifference }
  | { code: "hold_unconfirmed"; codeExpiresAt: Date };

/** How a hold named by a sale ended: released (voided, or its code expired), expired, or never the tenant's. */
export type HoldEnding = "released" | "expired" | "unknown";

/** The transaction a sale is stored as: its tenant and `externalId` (`transactionId` of its message). */
const transactionIdOf = (tenantId: string, externalId: string) => stableId("transaction", tenantId, externalId);

interface HoldFound {
  n: string;
  status: string;
  expiresAt: Date;
  /** Held and before its expiry at `at`: only such a hold is checked against the sale's basket and customer. */
  inForce: boolean;
  /** The transaction that committed it (a committed hold), and its `externalId` once the ledger stored it. */
  committedTo: string | null;
  committedToExternalId: string | null;
  /**
   * The `externalId` of the sale whose claim (`claimHeldHolds`) is in force at `at` (a lapsed hold is one no sale
   * keeps, `holdLapsed`); null when none is, or the claim was made before claims named their sale.
   */
  claimedBy: string | null;
  locationId: string;
  channel: string;
  lines: HeldBasket["lines"] | null;
  /** The hold is a guest's, or the customer the sale names (resolved as the ledger resolves it) is the hold's. */
  customerMatches: boolean;
  /** The expiry of the code the hold still waits for; null when it needs none or was confirmed. */
  codeExpiresAt: Date | null;
}

/**
 * For each sale, why the ledger would commit nothing of the hold it names, or null (a sale naming no hold). The till
 * gave the hold's discounts already: a sale naming a hold that the ledger would not commit for it
 * (`commitSaleCheckout`) is refused here, or those discounts are given for nothing. A hold is one sale's: claimed by
 * (`claimHeldHolds`) or committed to another transaction, or named by an earlier sale of this request that was not
 * refused, it is `hold_used`; a retry of the sale that claimed or committed it (its `externalId`) is not refused. A hold
 * that is not the tenant's, released, expired, or past its expiry at `at` is `hold_ended`, unless this very sale
 * claimed it before the expiry and the claim's grace still keeps it (a retry whose first try was never stored: the
 * ledger commits the hold with it). The customer is resolved as the ledger resolves it (an identity's customer, an
 * id's survivor); a guest's hold goes with any customer. One statement for all the sales naming a hold, none when no
 * sale does.
 */
export async function saleHoldRefusals(
  reader: SqlReader,
  tenantId: string,
  sales: readonly SaleNamingHold[],
  at: Date,
): Promise<(SaleHoldRefusal | null)[]> {
  const naming = sales.flatMap((s, i) => (s.type === "sale" && s.holdId ? [{ i, holdId: s.holdId, s }] : []));
  if (!naming.length) return sales.map(() => null);
  const refs = naming.map(({ s }) => (s.customer ? identityOf(s.customer) : null));
  // A phone by both its spellings, as the ledger resolves it.
  const spelled = refs.map((r) => (r && "kind" in r ? spelledIdentity(r) : null));
  const kind = spelled.map((r) => r?.kind ?? null);
  const value = spelled.map((r) => r?.value ?? null);
  const other = spelled.map((r) => r?.otherSpelling ?? null);
  const byId = refs.map((r) => (r && "customerId" in r ? r.customerId : null));
  const rows = await reader.rows<HoldFound>(Prisma.sql`
    SELECT w.n::text AS n, h.status, h.expires_at AS "expiresAt",
      (h.status = 'held' AND h.expires_at > ${at}) AS "inForce",
      CASE WHEN h.status = 'committed' THEN h.transaction_id END AS "committedTo", t.external_id AS "committedToExternalId",
      CASE WHEN h.status = 'held' AND NOT ${holdLapsed(at, "h")} THEN h.claimed_by_external_id END AS "claimedBy",
      h.location_id AS "locationId", h.channel, h.quote->'lines' AS lines,
      (h.customer_id IS NULL OR h.customer_id = coalesce(
        ${identityOwner(Prisma.sql`${tenantId}`, Prisma.sql`w.kind`, Prisma.sql`w.value`, Prisma.sql`w.other`)}, s.survivor_id)
      ) AS "customerMatches",
      c.expires_at AS "codeExpiresAt"
    FROM unnest(${sqlArray(naming.map((n) => n.holdId))}::text[], ${sqlArray(kind)}::text[],
                ${sqlArray(value)}::text[], ${sqlArray(other)}::text[], ${sqlArray(byId)}::text[])
      WITH ORDINALITY AS w(hold_id, kind, value, other, ref, n)
    JOIN checkout_holds h ON h.id = w.hold_id AND h.tenant_id = ${tenantId}
    LEFT JOIN transactions t ON h.status = 'committed' AND t.id = h.transaction_id
    LEFT JOIN (${survivorsStatement(byId.filter((id): id is string => id !== null))}) s
      ON s.id = w.ref AND s.tenant_id = ${tenantId}
    LEFT JOIN hold_confirmations c ON c.hold_id = h.id AND c.confirmed_at IS NULL`);
  const found = new Map(rows.map((r) => [Number(r.n) - 1, r]));
  const refusals: (SaleHoldRefusal | null)[] = sales.map(() => null);
  // The sale of this request that goes on with each hold: a later one naming it under another externalId is refused.
  const goingOn = new Map<string, string>();
  naming.forEach(({ i, holdId, s }, k) => {
    const hold = found.get(k);
    const earlier = goingOn.get(holdId);
    if (earlier !== undefined && earlier !== s.externalId)
      refusals[i] = { code: "hold_used", committed: false, by: earlier };
    else if (!hold) refusals[i] = { code: "hold_ended", ended: "unknown", expiresAt: null };
    else
      refusals[i] =
        usedBy(hold, tenantId, s.externalId) ??
        endedFor(hold, s.externalId) ??
        (hold.inForce ? refusalOf(hold, s) : null);
    if (!refusals[i] && earlier === undefined) goingOn.set(holdId, s.externalId);
  });
  return refusals;
}

/**
 * `hold_used` when another sale than the one posted as `externalId` committed the hold or claimed it. A claim made
 * before claims named their sale cannot be told from this sale's own: the ledger decides it (`salesNamingTakenHolds`).
 */
function usedBy(hold: HoldFound, tenantId: string, externalId: string): SaleHoldRefusal | null {
  if (hold.committedTo !== null && hold.committedTo !== transactionIdOf(tenantId, externalId))
    return { code: "hold_used", committed: true, by: hold.committedToExternalId };
  if (hold.claimedBy !== null && hold.claimedBy !== externalId)
    return { code: "hold_used", committed: false, by: hold.claimedBy };
  return null;
}

/**
 * `hold_ended` for a hold released or expired, or held past its expiry at the time asked (`inForce` false) without
 * this sale's claim in force (`claimedBy`, read only while the claim keeps the hold, `holdLapsed`).
 */
function endedFor(hold: HoldFound, externalId: string): SaleHoldRefusal | null {
  const expiresAt = new Date(hold.expiresAt);
  if (hold.status === "released" || hold.status === "expired")
    return { code: "hold_ended", ended: hold.status, expiresAt };
  if (hold.status === "held" && !hold.inForce && hold.claimedBy !== externalId)
    return { code: "hold_ended", ended: "expired", expiresAt };
  return null;
}

function refusalOf(hold: HoldFound, sale: SaleNamingHold): SaleHoldRefusal | null {
  if (!hold.customerMatches)
    return {
      code: "hold_mismatch",
      issue: {
        path: "customer",
        message: sale.customer
          ? "is not the customer the hold was placed for"
          : "is missing: the hold was placed for a customer, and only a sale of that customer uses it",
      },
    };
  if (hold.codeExpiresAt) return { code: "hold_unconfirmed", codeExpiresAt: new Date(hold.codeExpiresAt) };
  const difference = saleBasketDifference(
    { locationId: hold.locationId, channel: hold.channel, lines: hold.lines ?? [] },
    sale,
  );
  return difference ? { code: "hold_mismatch", issue: difference } : null;
}

/** A hold that a sale about to be stored names, and that sale's `externalId`. */
export interface HoldClaim {
  holdId: string;
  externalId: string;
}

/** A hold a sale about to be stored names that `claimHeldHolds` could not claim for it, and why. */
export type UnclaimedHold = { holdId: string } & (
  | { code: "hold_used" }
  | { code: "hold_ended"; ended: HoldEnding; expiresAt: Date | null }
);

/**
 * Marks the holds that sales about to be stored name as claimed at `at` (the time the gateway received them) by those
 * sales' transactions, those still held and before their expiry; `saleHoldRefusals` found nothing against them.
 * Accepted must mean done: the ledger commits a hold whose sale was received before its expiry however late it applies
 * the sale, so the sweep and a new hold of the customer leave a claimed hold reserved for `CLAIM_GRACE_MS` after its
 * expiry (`holdLapsed`), and a later sale naming it does not end it before then (`commitSaleCheckout`). The claim
 * comes before the sale is stored, or the hold could be ended as expired while the sale is on its way. The first
 * claim is kept, and names its transaction: another sale naming the hold is refused (`saleHoldRefusals`), and the
 * ledger rejects one that got past (`salesNamingTakenHolds`). A claim whose sale is then not stored only keeps the hold
 * reserved until that grace ends; one whose sale the ledger rejects is given back with the rejection
 * (`releaseRejectedSalesClaims`). Returns the holds it did not claim since `saleHoldRefusals` read them (another
 * request naming one hold at once, a void, the sweep): `hold_used` for those another transaction claimed (a claim in
 * force at `at`, as `saleHoldRefusals` reads it: a lapsed one reserves nothing) or committed, `hold_ended` for those
 * released, expired, past their expiry at `at` without this sale's claim in force, or not the tenant's. Only the sales
 * naming those are refused, the others are stored.
 */
export async function claimHeldHolds(
  db: Db,
  tenantId: string,
  claims: readonly HoldClaim[],
  at: Date,
): Promise<UnclaimedHold[]> {
  if (!claims.length) return [];
  const byHold = new Map<string, string>();
  for (const c of claims) if (!byHold.has(c.holdId)) byHold.set(c.holdId, c.externalId);
  const holdIds = sqlArray([...byHold.keys()]);
  const by = sqlArray([...byHold.values()]);
  const transactionIds = sqlArray([...byHold.values()].map((externalId) => transactionIdOf(tenantId, externalId)));
  await db.$executeRaw`
    UPDATE checkout_holds h SET claimed_at = ${at}, claimed_by_external_id = c.by
    FROM unnest(${holdIds}::text[], ${by}::text[]) AS c(hold_id, by)
    WHERE h.tenant_id = ${tenantId} AND h.id = c.hold_id AND h.status = 'held' AND h.expires_at > ${at}
      AND h.claimed_at IS NULL`;
  // A statement of its own: it sees a claim, a commit or a void that committed while the update waited for the row.
  const rows = await db.$queryRaw<
    { id: string; code: UnclaimedHold["code"] | null; status: string | null; expires_at: Date | null }[]
  >`
    SELECT c.hold_id AS id, h.status, h.expires_at, CASE
        WHEN h.id IS NULL OR h.status IN ('released', 'expired') THEN 'hold_ended'
        WHEN h.status = 'committed' THEN CASE WHEN h.transaction_id <> c.transaction_id THEN 'hold_used' END
        WHEN h.claimed_by_external_id <> c.by AND NOT ${holdLapsed(at, "h")} THEN 'hold_used'
        WHEN h.expires_at <= ${at} AND NOT coalesce(h.claimed_by_external_id = c.by AND NOT ${holdLapsed(at, "h")}, false)
          THEN 'hold_ended'
      END AS code
    FROM unnest(${holdIds}::text[], ${by}::text[], ${transactionIds}::text[]) AS c(hold_id, by, transaction_id)
    LEFT JOIN checkout_holds h ON h.id = c.hold_id AND h.tenant_id = ${tenantId}`;
  return rows.flatMap(({ id, code, status, expires_at }): UnclaimedHold[] => {
    if (code === "hold_used") return [{ holdId: id, code }];
    if (code !== "hold_ended") return [];
    const ended = status === null ? "unknown" : status === "released" ? "released" : "expired";
    return [{ holdId: id, code, ended, expiresAt: expires_at }];
  });
}
