-- regulars:no-transaction
-- Built concurrently, outside a transaction, so that tills keep enrolling customers while it builds (see 0030).
-- The folded name's trigrams (`unaccented`, migration 0078) answer the admin's search as 0029's index of the name as
-- stored did; nothing else read that one. Should a Postgres upgrade change unaccent.rules, REINDEX this index.
CREATE INDEX CONCURRENTLY IF NOT EXISTS customers_name_unaccented_trgm_idx
  ON customers USING gin (unaccented(name) gin_trgm_ops);
DROP INDEX CONCURRENTLY IF EXISTS customers_name_trgm_idx;
