-- Erasure keeps a parked refund's fingerprint as posted (`body_hash`) before it redacts the message, computed with
-- the contracts' own `transactionFingerprint` (`keepParkedFingerprints` of @regulars/privacy), as the ledger computes
-- it: the copy of that function in SQL that migration 0064 added would drift from it. Nothing else calls them.
DROP FUNCTION IF EXISTS parked_refund_fingerprint(jsonb);
DROP FUNCTION IF EXISTS parked_refund_sorted_json(jsonb);
