-- App registration and the customer's profile (@regulars/customers-store). Name, e-mail, phone and date of
-- birth stay on `customers`; what only app customers have, the consent history and push tokens live here.

-- One row per customer whose profile the app or an admin touched. `registered_at` is set when the customer
-- signed up in the app. The phone on `customers` links the tills' customer by phone only once it is proven
-- (`phone_verified`, with a `phone` identity); an unproven number is kept for the profile and links nothing.
-- `version` counts the profile's changes: the customer.updated events take their stable ids from it.
CREATE TABLE customer_profiles (
  customer_id     text PRIMARY KEY REFERENCES customers(id),
  tenant_id       text NOT NULL REFERENCES tenants(id),
  registered_at   timestamptz(3),
  phone_verified  boolean NOT NULL DEFAULT false,
  preferences     jsonb NOT NULL DEFAULT '{}',
  version         integer NOT NULL DEFAULT 0,
  updated_at      timestamptz(3) NOT NULL DEFAULT now()
);
CREATE INDEX customer_profiles_tenant_id_idx ON customer_profiles (tenant_id);

-- Every consent choice that changed what was in force, never updated or deleted: the proof of what the
-- customer agreed to, when (`occurred_at`, as the customer's app tells it) and where (`source`), and when we
-- learnt it (`recorded_at`). The consent in force per channel and purpose is the latest by `occurred_at`.
CREATE TABLE customer_consents (
  id           text PRIMARY KEY,
  tenant_id    text NOT NULL REFERENCES tenants(id),
  customer_id  text NOT NULL REFERENCES customers(id),
  channel      text NOT NULL CHECK (channel IN ('push', 'sms', 'email')),
  purpose      text NOT NULL CHECK (purpose IN ('marketing', 'profiling')),
  granted      boolean NOT NULL,
  source       text NOT NULL,
  actor        text,
  occurred_at  timestamptz(3) NOT NULL,
  recorded_at  timestamptz(3) NOT NULL DEFAULT now()
);
CREATE INDEX customer_consents_customer_idx
  ON customer_consents (tenant_id, customer_id, channel, purpose, occurred_at DESC, recorded_at DESC);

-- A device's push token. A device belongs to one customer at a time and a token to one device, so a message
-- for one customer never reaches a phone someone else signed in on since.
CREATE TABLE customer_push_tokens (
  tenant_id    text NOT NULL REFERENCES tenants(id),
  device_id    text NOT NULL,
  customer_id  text NOT NULL REFERENCES customers(id),
  platform     text NOT NULL CHECK (platform IN ('ios', 'android', 'web')),
  token        text NOT NULL,
  created_at   timestamptz(3) NOT NULL DEFAULT now(),
  updated_at   timestamptz(3) NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, device_id)
);
CREATE UNIQUE INDEX customer_push_tokens_token_key ON customer_push_tokens (tenant_id, token);
CREATE INDEX customer_push_tokens_customer_id_idx ON customer_push_tokens (customer_id);

-- A customer merged into another when the other proved the same phone: the merged customer keeps its id and
-- its past (its movements stay its own), the survivor gets its identities, balances (by transfer movements),
-- sales, wallet coupons, consents and devices. `moved` records what was moved, for support and GDPR requests.
CREATE TABLE customer_merges (
  merged_id    text PRIMARY KEY REFERENCES customers(id),
  tenant_id    text NOT NULL REFERENCES tenants(id),
  into_id      text NOT NULL REFERENCES customers(id),
  merged_at    timestamptz(3) NOT NULL DEFAULT now(),
  moved        jsonb NOT NULL DEFAULT '{}'
);
CREATE INDEX customer_merges_into_id_idx ON customer_merges (into_id);
