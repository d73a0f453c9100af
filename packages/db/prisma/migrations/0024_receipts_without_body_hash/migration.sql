-- A receipt says "accepted, on its way" until the ledger has processed the transaction; nothing ever read its body
-- fingerprint (the ledger keeps its own in transactions.body_hash, which tells a retry from a conflict). Writing it
-- made the gateway fingerprint every transaction it accepted, a tenth of its CPU on batch uploads; it now
-- fingerprints only the repeats JetStream reports, to tell a retry from a conflict. Dropping a column is a change of
-- the catalogue only: no rewrite of the table. During a rolling upgrade a gateway of an earlier release fails to
-- write its receipts here (logged, kept and retried) until it is replaced; those statuses read "not found" only
-- until the ledger has processed the transactions.
ALTER TABLE transaction_receipts DROP COLUMN body_hash;
