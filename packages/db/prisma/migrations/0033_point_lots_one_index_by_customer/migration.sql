-- regulars:no-transaction
-- Dropped concurrently, outside a transaction, so that tills keep posting meanwhile (see 0030).
--
-- Two indexes led a lot by its customer: point_lots_open_idx (0002: tenant, customer, earned_at, id; open lots) and
-- point_lots_customer_live_idx (0023: customer, earned_at, id; open lots or lots waiting to be released). Every read
-- of a customer's lots asks for open ones (`remaining > 0`), which the second index's predicate includes, so it
-- answers them all (pinned by the ledger's plan tests); a customer id belongs to one tenant. Every lot earned paid for
-- both, and every lot a debit changed updated both: about one WAL record in thirty of a sale's (measured here with
-- pg_waldump over 80,000 transactions of `pnpm bench:ledger`: 56,463 index inserts for 56,077 lots).
DROP INDEX CONCURRENTLY IF EXISTS point_lots_open_idx;
