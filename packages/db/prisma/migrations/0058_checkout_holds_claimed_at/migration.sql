-- When the gateway accepted a sale naming the hold, the hold still held and before its expiry: such a sale is
-- committed by the ledger however late it applies it, so the sweep and a new hold of the customer leave the hold
-- reserved for a grace after its expiry (`holdLapsed`, holds/release.ts) instead of ending it under the sale. Null
-- for a hold no accepted sale named in time. The first claim is kept.
ALTER TABLE checkout_holds ADD COLUMN claimed_at timestamptz(3);
