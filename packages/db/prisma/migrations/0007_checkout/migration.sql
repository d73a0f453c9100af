-- Checkout: coupon campaigns and their codes, coupons issued into wallets, each use of a coupon, and the
-- holds a checkout places on points, wallet cash and coupon uses until the sale commits them.

-- A coupon campaign: benefit, conditions, limits and codes (config, validated by CouponCampaignConfig).
-- used_count and used_amount count holds in force and committed uses, under the row's lock: the total
-- limit and the budget are checked and moved in one place, so concurrent checkouts cannot overshoot them.
CREATE TABLE coupon_campaigns (
  id           text PRIMARY KEY,
  tenant_id    text NOT NULL REFERENCES tenants(id),
  name         text NOT NULL,
  status       text NOT NULL DEFAULT 'active',
  config       jsonb NOT NULL,
  used_count   bigint NOT NULL DEFAULT 0,
  used_amount  bigint NOT NULL DEFAULT 0,
  created_at   timestamptz(3) NOT NULL DEFAULT now(),
  updated_at   timestamptz(3) NOT NULL DEFAULT now()
);
CREATE INDEX coupon_campaigns_tenant_id_idx ON coupon_campaigns (tenant_id);

-- Every code a customer may type: a generic campaign's one code, generated unique codes and imported
-- partner codes. Codes are upper-case and unique per tenant. `uses` counts holds and committed uses.
CREATE TABLE coupon_codes (
  tenant_id    text NOT NULL REFERENCES tenants(id),
  code         text NOT NULL,
  campaign_id  text NOT NULL REFERENCES coupon_campaigns(id),
  source       text NOT NULL,
  max_uses     integer,
  uses         integer NOT NULL DEFAULT 0,
  created_at   timestamptz(3) NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, code)
);
CREATE INDEX coupon_codes_campaign_id_idx ON coupon_codes (campaign_id);

-- Coupons issued into a customer's wallet (by an admin, a campaign, on registration): shown at checkout.
CREATE TABLE wallet_coupons (
  id           text PRIMARY KEY,
  tenant_id    text NOT NULL REFERENCES tenants(id),
  customer_id  text NOT NULL REFERENCES customers(id),
  campaign_id  text NOT NULL REFERENCES coupon_campaigns(id),
  code         text NOT NULL,
  issue_key    text NOT NULL,
  issued_by    text,
  issued_at    timestamptz(3) NOT NULL DEFAULT now(),
  UNIQUE (tenant_id, issue_key)
);
CREATE INDEX wallet_coupons_customer_id_idx ON wallet_coupons (customer_id);

-- One use of a coupon: held by a checkout, committed by the sale, released (void, expiry) or returned
-- (refund). Per-customer and per-day limits count the held and committed ones.
CREATE TABLE coupon_uses (
  id              text PRIMARY KEY,
  tenant_id       text NOT NULL REFERENCES tenants(id),
  campaign_id     text NOT NULL REFERENCES coupon_campaigns(id),
  code            text NOT NULL,
  customer_id     text,
  hold_id         text,
  transaction_id  text,
  status          text NOT NULL,
  discount        bigint NOT NULL DEFAULT 0,
  local_day       date NOT NULL,
  created_at      timestamptz(3) NOT NULL DEFAULT now(),
  updated_at      timestamptz(3) NOT NULL DEFAULT now()
);
CREATE INDEX coupon_uses_campaign_customer_idx ON coupon_uses (campaign_id, customer_id) WHERE status IN ('held', 'committed');
CREATE INDEX coupon_uses_campaign_day_idx ON coupon_uses (campaign_id, local_day) WHERE status IN ('held', 'committed');
CREATE INDEX coupon_uses_hold_id_idx ON coupon_uses (hold_id);
CREATE INDEX coupon_uses_transaction_id_idx ON coupon_uses (transaction_id);

-- A checkout's reservation: points and wallet cash it will spend and the coupon uses it holds, until the
-- sale posted with its id commits it, or it is voided or expires. `quote` is the priced basket it holds.
CREATE TABLE checkout_holds (
  id              text PRIMARY KEY,
  tenant_id       text NOT NULL REFERENCES tenants(id),
  customer_id     text NOT NULL REFERENCES customers(id),
  status          text NOT NULL,
  points          bigint NOT NULL DEFAULT 0,
  wallet          bigint NOT NULL DEFAULT 0,
  quote           jsonb NOT NULL,
  location_id     text NOT NULL,
  channel         text NOT NULL,
  expires_at      timestamptz(3) NOT NULL,
  transaction_id  text,
  ended_reason    text,
  created_at      timestamptz(3) NOT NULL DEFAULT now(),
  updated_at      timestamptz(3) NOT NULL DEFAULT now()
);
CREATE INDEX checkout_holds_customer_held_idx ON checkout_holds (customer_id) WHERE status = 'held';
CREATE INDEX checkout_holds_expiry_idx ON checkout_holds (expires_at) WHERE status = 'held';
CREATE INDEX checkout_holds_transaction_id_idx ON checkout_holds (transaction_id);
