-- A sale's coupon uses that counted against their limits, or the uses a refund gave back (transaction.processed
-- `couponUses`), as three arrays of one length, a use per index: its code, its campaign and its discount.
-- Why:
-- * A code used on a sale without a customer publishes no coupon.redeemed (that event names a customer): the
--   sale's fact is the only trace of the use in ClickHouse, and the dashboard counts anonymous uses from here.
-- * Columns on the fact rather than a table of their own: the fact is already written per sale, and a re-key
--   (merge, erasure) or a redelivery copies or replaces it whole, uses included.
-- * Parallel arrays rather than Array(Tuple): plain JSON arrays on insert, and `length` / `arraySum` to read.
-- * Transactions stored before this migration have none: their uses were never on the event.

ALTER TABLE {db}.transactions ADD COLUMN IF NOT EXISTS coupon_codes Array(String) DEFAULT [] AFTER tag_quantities;

ALTER TABLE {db}.transactions ADD COLUMN IF NOT EXISTS coupon_campaign_ids Array(String) DEFAULT [] AFTER coupon_codes;

ALTER TABLE {db}.transactions ADD COLUMN IF NOT EXISTS coupon_discounts Array(Int64) DEFAULT [] AFTER coupon_campaign_ids;
