-- Identity tokens: the short-lived, single-use token a brand's app shows as a QR code so that a kiosk can
-- identify the customer without a phone number being typed in public.

-- Each tenant's HS256 signing secrets (256 random bits). The database keeps them readable because signing and
-- verifying both need the secret itself (unlike API keys, which are only ever compared, and so stored hashed).
-- A tenant's first key is created on first use; at most one key per tenant signs (the one not retired), and a
-- retired key verifies nothing any more, so retiring a key also revokes the tokens it signed.
CREATE TABLE identity_token_keys (
  tenant_id   text NOT NULL REFERENCES tenants(id),
  kid         text NOT NULL,
  secret      bytea NOT NULL CHECK (octet_length(secret) >= 32),
  created_at  timestamptz(3) NOT NULL DEFAULT now(),
  retired_at  timestamptz(3),
  PRIMARY KEY (tenant_id, kid)
);
-- Two first uses at once must agree on one key: the loser of this index adopts the winner's key.
CREATE UNIQUE INDEX identity_token_keys_signing_idx ON identity_token_keys (tenant_id) WHERE retired_at IS NULL;

-- Tokens already redeemed, by their `jti`: the primary key makes a redemption single-use under concurrency.
-- A row is useless once its token has expired (an expired token is refused before this table is consulted),
-- so rows are pruned after `expires_at`. No foreign key to customers: an erased customer must not be kept
-- alive by a token redeemed minutes before.
CREATE TABLE used_identity_tokens (
  tenant_id    text NOT NULL REFERENCES tenants(id),
  jti          text NOT NULL,
  customer_id  text NOT NULL,
  used_at      timestamptz(3) NOT NULL DEFAULT now(),
  expires_at   timestamptz(3) NOT NULL,
  PRIMARY KEY (tenant_id, jti)
);
CREATE INDEX used_identity_tokens_expires_at_idx ON used_identity_tokens (expires_at);

-- A key role for the brand's app backend: it asks for identity tokens for its signed-in customers.
ALTER TABLE api_keys DROP CONSTRAINT api_keys_role_check;
ALTER TABLE api_keys ADD CONSTRAINT api_keys_role_check CHECK (role IN ('admin', 'pos', 'kiosk', 'analyst', 'app'));
