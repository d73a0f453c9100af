-- The lots a committed hold's points were spent from, in the order taken: [{ "points", "earnedAt", "expiresAt" }]
-- (@regulars/ledger-store, `holds/redeemed-lots.ts`). A refund gives those points back with those lots' dates:
-- expiry is computed once, when points are awarded, not again when a refund returns them. Null for holds
-- committed before this column existed (their refunds date returned points as new) and for holds of no points.
ALTER TABLE checkout_holds ADD COLUMN redeemed_lots jsonb;
