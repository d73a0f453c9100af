-- Who runs the scheduled pass now. A lease row (committed, with an expiry) instead of a transaction-scoped
-- advisory lock: the pass holds no transaction open while it works, and a holder that dies loses the
-- lease when it expires.
CREATE TABLE scheduler_leases (
  name         text PRIMARY KEY,
  holder       text NOT NULL,
  acquired_at  timestamptz(3) NOT NULL DEFAULT now(),
  expires_at   timestamptz(3) NOT NULL
);
