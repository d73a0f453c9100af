import type { RawTx } from "@regulars/db";
import { claimedBySale, endLapsedHolds, type HoldRow } from "./release.ts";

/** The sale a hold is looked at for: the hold it names, its `externalId`, when the gateway received it. */
export interface SaleNamingLockedHold {
  holdId: string;
  externalId: string;
  receivedAt: Date;
  /** The sale's customer may commit the hold: a guest's hold, or one placed for that customer. */
  mayCommit: (hold: HoldRow) => boolean;
}

/**
 * Why the locked hold a sale names cannot pay for it because it ended, or null: not a hold of the sale's tenant
 * (`hold` null), released (voided, or its code expired unconfirmed), expired (a sale received before that but with no
 * claim, from an older gateway, finds it so too), or held but past its expiry when the sale was received. The till
 * gave the hold's discounts already, so such a sale is rejected (`hold_ended`) rather than processed with those
 * discounts paid for by nothing. Not ended: a hold committed (to this sale, which is a redelivery, or to another, which
 * `salesNamingTakenHolds` rejects), and one a sale's claim keeps past its expiry (`claimedBySale`): the claiming
 * sale's own retry commits it, another sale is left to the claim. A hold past its expiry that the sale could commit
 * is ended as the sweep would end it, once it lapsed (`endLapsedHolds`). Nor ended for the sale that claimed it in time
 * (`claimedInTimeBy`), whatever ended it since: the gateway accepted that sale, and the ledger applying it after the
 * grace (a backlog, an incident) must not turn an accepted sale into a rejected one. It is processed, the hold
 * spending nothing, as a sale whose hold lapsed before the ledger got to it always was.
 */
export async function endedBeforeSale(
  tx: RawTx,
  hold: HoldRow | null,
  sale: SaleNamingLockedHold,
): Promise<string | null> {
  const { holdId, receivedAt } = sale;
  if (!hold) return ended(holdId, "is not a checkout hold of this tenant");
  // Ended while the accepted sale waited for the ledger; no logger reaches the checkout to warn of it.
  if ((hold.status === "released" || hold.status === "expired") && claimedInTimeBy(hold, sale)) return null;
  if (hold.status === "released")
    return ended(holdId, "was released (voided, or its one-time code expired unconfirmed)");
  if (hold.status === "expired") return ended(holdId, `expired at ${hold.expires_at.toISOString()}`);
  if (hold.status !== "held" || hold.expires_at > receivedAt) return null;
  // A claim from before claims named their sale cannot be this sale's: this one came after the expiry.
  if (claimedBySale(hold, receivedAt) && hold.claimed_by_external_id !== null) return null;
  // Reached the gateway after the expiry, with no claim keeping the hold for it.
  if (sale.mayCommit(hold)) await endLapsedHolds(tx, [hold], receivedAt, "expired before its sale arrived");
  return ended(
    holdId,
    `expired at ${hold.expires_at.toISOString()}, before this sale reached the gateway at ${receivedAt.toISOString()}`,
  );
}

/** The sale claimed the hold (`claimHeldHolds`) and reached the gateway before the hold's expiry. */
const claimedInTimeBy = (hold: HoldRow, sale: SaleNamingLockedHold) =>
  hold.claimed_by_external_id === sale.externalId &&
  hold.claimed_at !== null &&
  hold.claimed_at < hold.expires_at &&
  sale.receivedAt < hold.expires_at;

const ended = (holdId: string, how: string) =>
  `checkout hold ${holdId} ${how}: it reserves nothing, and this sale's discounts from it are not paid for; quote ` +
  "the basket again and post the sale under a new externalId with the new hold, or without a hold";
