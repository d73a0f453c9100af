-- Regulars: tenants, credentials, customers, transactions and the double-entry points ledger.

CREATE TABLE tenants (
  id          text PRIMARY KEY,
  name        text NOT NULL,
  timezone    text NOT NULL,
  currency    text NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
  created_at  timestamptz(3) NOT NULL DEFAULT now()
);

CREATE TABLE api_keys (
  id            text PRIMARY KEY,
  tenant_id     text NOT NULL REFERENCES tenants(id),
  role          text NOT NULL CHECK (role IN ('admin', 'pos', 'kiosk', 'analyst')),
  label         text NOT NULL,
  hash          text NOT NULL UNIQUE,
  prefix        text NOT NULL,
  created_at    timestamptz(3) NOT NULL DEFAULT now(),
  revoked_at    timestamptz(3),
  last_used_at  timestamptz(3)
);
CREATE INDEX api_keys_tenant_id_idx ON api_keys (tenant_id);

CREATE TABLE programme_versions (
  tenant_id       text NOT NULL REFERENCES tenants(id),
  version         integer NOT NULL,
  effective_from  timestamptz(3) NOT NULL,
  config          jsonb NOT NULL,
  created_at      timestamptz(3) NOT NULL DEFAULT now(),
  created_by      text NOT NULL,
  PRIMARY KEY (tenant_id, version)
);

CREATE TABLE products (
  tenant_id  text NOT NULL REFERENCES tenants(id),
  sku        text NOT NULL,
  name       text NOT NULL,
  category   text NOT NULL,
  tags       text[] NOT NULL DEFAULT '{}',
  price      integer NOT NULL CHECK (price >= 0),
  PRIMARY KEY (tenant_id, sku)
);

CREATE TABLE customers (
  id             text PRIMARY KEY,
  tenant_id      text NOT NULL REFERENCES tenants(id),
  name           text,
  email          text,
  phone          text,
  card_number    text,
  date_of_birth  date,
  created_via    text NOT NULL,
  created_at     timestamptz(3) NOT NULL DEFAULT now()
);
CREATE INDEX customers_tenant_id_created_at_idx ON customers (tenant_id, created_at);

CREATE TABLE customer_identities (
  tenant_id    text NOT NULL,
  kind         text NOT NULL,
  value        text NOT NULL,
  customer_id  text NOT NULL REFERENCES customers(id),
  created_at   timestamptz(3) NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, kind, value)
);
CREATE INDEX customer_identities_customer_id_idx ON customer_identities (customer_id);

CREATE TABLE transactions (
  id                 text PRIMARY KEY,
  tenant_id          text NOT NULL REFERENCES tenants(id),
  external_id        text NOT NULL,
  type               text NOT NULL CHECK (type IN ('sale', 'refund')),
  refund_of          text,
  occurred_at        timestamptz(3) NOT NULL,
  location_id        text NOT NULL,
  channel            text NOT NULL,
  customer_id        text REFERENCES customers(id),
  currency           text NOT NULL,
  total              integer NOT NULL,
  discount_total     integer NOT NULL,
  points_awarded     integer NOT NULL,
  programme_version  integer,
  explanation        jsonb,
  received_at        timestamptz(3) NOT NULL,
  processed_at       timestamptz(3) NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX transactions_tenant_id_external_id_key ON transactions (tenant_id, external_id);
CREATE INDEX transactions_tenant_id_customer_id_occurred_at_idx ON transactions (tenant_id, customer_id, occurred_at);
CREATE INDEX transactions_tenant_id_refund_of_idx ON transactions (tenant_id, refund_of);

CREATE TABLE transaction_lines (
  transaction_id  text NOT NULL REFERENCES transactions(id),
  line_no         integer NOT NULL,
  tenant_id       text NOT NULL,
  sku             text NOT NULL,
  name            text NOT NULL,
  category        text,
  tags            text[] NOT NULL DEFAULT '{}',
  quantity        integer NOT NULL,
  unit_price      integer NOT NULL,
  discount        integer NOT NULL,
  amount          integer NOT NULL,
  PRIMARY KEY (transaction_id, line_no)
);

CREATE TABLE ledger_accounts (
  id          bigserial PRIMARY KEY,
  tenant_id   text NOT NULL REFERENCES tenants(id),
  owner       text NOT NULL,
  kind        text NOT NULL,
  balance     integer NOT NULL DEFAULT 0,
  updated_at  timestamptz(3) NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX ledger_accounts_tenant_id_owner_kind_key ON ledger_accounts (tenant_id, owner, kind);

CREATE TABLE ledger_movements (
  id               text PRIMARY KEY,
  tenant_id        text NOT NULL REFERENCES tenants(id),
  customer_id      text REFERENCES customers(id),
  kind             text NOT NULL CHECK (kind IN ('earn', 'bonus', 'redeem', 'expire', 'adjust', 'reverse', 'transfer_in', 'transfer_out')),
  unit             text NOT NULL CHECK (unit IN ('points', 'wallet')),
  amount           integer NOT NULL,
  idempotency_key  text NOT NULL,
  transaction_id   text,
  reason           text,
  actor            text,
  occurred_at      timestamptz(3) NOT NULL,
  created_at       timestamptz(3) NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX ledger_movements_tenant_id_idempotency_key_key ON ledger_movements (tenant_id, idempotency_key);
CREATE INDEX ledger_movements_tenant_id_customer_id_created_at_idx ON ledger_movements (tenant_id, customer_id, created_at);

-- Append-only: entries are never updated or deleted; corrections are new movements.
CREATE TABLE ledger_entries (
  id           bigserial PRIMARY KEY,
  movement_id  text NOT NULL REFERENCES ledger_movements(id),
  tenant_id    text NOT NULL,
  account_id   bigint NOT NULL REFERENCES ledger_accounts(id),
  amount       integer NOT NULL,
  created_at   timestamptz(3) NOT NULL DEFAULT now()
);
CREATE INDEX ledger_entries_account_id_idx ON ledger_entries (account_id);
CREATE INDEX ledger_entries_movement_id_idx ON ledger_entries (movement_id);

CREATE FUNCTION ledger_entries_are_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'ledger entries are append-only; post a correcting movement instead';
END;
$$;
CREATE TRIGGER ledger_entries_append_only BEFORE UPDATE OR DELETE ON ledger_entries
  FOR EACH ROW EXECUTE FUNCTION ledger_entries_are_append_only();
