-- `profile_sale_voided` (migration 0067) restated the rule that voids a sale, whose home is the order-count tier
-- basis (@regulars/ledger-store, `accounts/voided-sales.ts`): two homes could drift. The profile writer now judges by
-- that one (`refundedSalesVerdicts`), and reads only sales that have a refund; 0067's backfill was its last user.
DROP FUNCTION profile_sale_voided(text, text);
