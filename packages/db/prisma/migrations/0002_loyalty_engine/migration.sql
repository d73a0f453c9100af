-- Loyalty engine: point lots (pending, FIFO, expiry), tiers and activity, stamp cards, milestones,
-- an outbox for domain events, expiry notices, scheduled-job bookkeeping and the admin audit log.

ALTER TABLE ledger_movements DROP CONSTRAINT ledger_movements_kind_check;
ALTER TABLE ledger_movements ADD CONSTRAINT ledger_movements_kind_check
  CHECK (kind IN ('earn', 'bonus', 'redeem', 'expire', 'adjust', 'reverse', 'release', 'transfer_in', 'transfer_out'));

-- Earned points in lots, spent and expired first-in first-out. `remaining` is what is left of a lot;
-- expiry dates are computed once, when the points are awarded.
CREATE TABLE point_lots (
  id            bigserial PRIMARY KEY,
  tenant_id     text NOT NULL REFERENCES tenants(id),
  customer_id   text NOT NULL REFERENCES customers(id),
  movement_id   text NOT NULL REFERENCES ledger_movements(id),
  points        integer NOT NULL CHECK (points > 0),
  remaining     integer NOT NULL CHECK (remaining >= 0 AND remaining <= points),
  earned_at     timestamptz(3) NOT NULL,
  available_at  timestamptz(3) NOT NULL,
  expires_at    timestamptz(3),
  released      boolean NOT NULL DEFAULT true,
  created_at    timestamptz(3) NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX point_lots_movement_id_key ON point_lots (movement_id);
CREATE INDEX point_lots_open_idx ON point_lots (tenant_id, customer_id, earned_at, id) WHERE remaining > 0;
CREATE INDEX point_lots_expiry_idx ON point_lots (tenant_id, expires_at) WHERE remaining > 0;
CREATE INDEX point_lots_pending_idx ON point_lots (tenant_id, available_at) WHERE NOT released;

-- Per-customer loyalty state the engine needs on every transaction.
CREATE TABLE customer_loyalty (
  customer_id       text PRIMARY KEY REFERENCES customers(id),
  tenant_id         text NOT NULL REFERENCES tenants(id),
  tier              text,
  tier_since        timestamptz(3),
  last_activity_at  timestamptz(3),
  updated_at        timestamptz(3) NOT NULL DEFAULT now()
);
CREATE INDEX customer_loyalty_activity_idx ON customer_loyalty (tenant_id, last_activity_at);

CREATE TABLE stamp_card_progress (
  customer_id  text NOT NULL REFERENCES customers(id),
  card_id      text NOT NULL,
  tenant_id    text NOT NULL REFERENCES tenants(id),
  stamps       integer NOT NULL DEFAULT 0 CHECK (stamps >= 0),
  completed    integer NOT NULL DEFAULT 0 CHECK (completed >= 0),
  updated_at   timestamptz(3) NOT NULL DEFAULT now(),
  PRIMARY KEY (customer_id, card_id)
);

-- One row per upward crossing of a milestone, so each crossing is announced exactly once.
CREATE TABLE milestone_crossings (
  customer_id  text NOT NULL REFERENCES customers(id),
  threshold    integer NOT NULL,
  crossing     integer NOT NULL,
  tenant_id    text NOT NULL REFERENCES tenants(id),
  above        boolean NOT NULL,
  changed_at   timestamptz(3) NOT NULL DEFAULT now(),
  PRIMARY KEY (customer_id, threshold, crossing)
);

-- Domain events written in the same transaction as the change they describe, published after the
-- commit; a relay publishes whatever a crash left behind.
CREATE TABLE outbox_events (
  id            text PRIMARY KEY,
  tenant_id     text NOT NULL,
  type          text NOT NULL,
  payload       jsonb NOT NULL,
  created_at    timestamptz(3) NOT NULL DEFAULT now(),
  published_at  timestamptz(3)
);
CREATE INDEX outbox_events_unpublished_idx ON outbox_events (created_at) WHERE published_at IS NULL;

-- Scheduled jobs record what they did per period, so a restart or a second instance never acts twice.
CREATE TABLE job_marks (
  job        text NOT NULL,
  tenant_id  text NOT NULL,
  key        text NOT NULL,
  done_at    timestamptz(3) NOT NULL DEFAULT now(),
  PRIMARY KEY (job, tenant_id, key)
);

CREATE TABLE audit_log (
  id          text PRIMARY KEY,
  tenant_id   text NOT NULL REFERENCES tenants(id),
  actor       text NOT NULL,
  action      text NOT NULL,
  target      text,
  details     jsonb NOT NULL DEFAULT '{}',
  created_at  timestamptz(3) NOT NULL DEFAULT now()
);
CREATE INDEX audit_log_tenant_idx ON audit_log (tenant_id, created_at);
