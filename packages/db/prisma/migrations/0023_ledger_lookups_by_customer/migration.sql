-- Every batch the ledger applies reads its customers' live lots (open, or still waiting to be released) by customer
-- id alone, under lock, in FIFO order. No index led with the customer (point_lots_open_idx leads with the tenant and
-- holds open lots only), so that read was a sequential scan of point_lots joined to a sequential scan of
-- ledger_movements, once per batch: 184 ms with 52,000 lots, a third of Postgres's time in `pnpm bench:latency` at
-- 1,000 tx/s (measured here), and longer with every lot a tenant ever earned. This index answers it exactly: its
-- predicate is the read's own condition, so it holds only the lots a balance can still change.
-- Built inside the migration's transaction, it blocks writes to point_lots while it builds: on a large table, build
-- it first by hand with CREATE INDEX CONCURRENTLY (same name and definition), and this statement passes over it.
CREATE INDEX IF NOT EXISTS point_lots_customer_live_idx ON point_lots (customer_id, earned_at, id) WHERE remaining > 0 OR NOT released;
