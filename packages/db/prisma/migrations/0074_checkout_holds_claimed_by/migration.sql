-- The `externalId` of the sale whose claim `claimed_at` dates: with the hold's tenant, the transaction that claimed it
-- (as `transaction_id` names the one that committed it). A hold pays for one sale: the gateway refuses another sale
-- naming a hold claimed by, or committed to, another transaction, and a rejected sale gives back only its own claim
-- (two sales of one request share their receipt's time, which cannot tell them apart). Null for a hold no sale
-- claimed, and for one claimed before this column (its claimant unknown). The first claim is kept.
ALTER TABLE checkout_holds ADD COLUMN claimed_by_external_id text;
