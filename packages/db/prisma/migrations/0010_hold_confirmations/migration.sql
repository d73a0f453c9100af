-- Cashback at the till: wallet cash a hold reserves on a POS is spent only once the customer confirms the hold
-- with a one-time code sent to their phone.

-- One confirmation per hold that needs one. Only an HMAC of the code (keyed by the hold id) is kept, so a read of
-- this table gives no code away; `sent_to` is the masked number the till may show ("+48•••••200"). A hold whose
-- row has no `confirmed_at` commits nothing when its sale arrives.
CREATE TABLE hold_confirmations (
  hold_id       text PRIMARY KEY REFERENCES checkout_holds(id),
  tenant_id     text NOT NULL REFERENCES tenants(id),
  code_hash     text NOT NULL,
  attempts      integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
  max_attempts  integer NOT NULL CHECK (max_attempts > 0),
  expires_at    timestamptz(3) NOT NULL,
  confirmed_at  timestamptz(3),
  sent_to       text NOT NULL,
  created_at    timestamptz(3) NOT NULL DEFAULT now()
);

-- The development message sink: messages are recorded here instead of being sent, until real channel providers
-- exist. Written in the transaction that decides the message, so a refused hold sends nothing. No foreign key to
-- customers: erasure removes a customer's messages rather than being blocked by them.
CREATE TABLE dev_messages (
  id           text PRIMARY KEY,
  tenant_id    text NOT NULL REFERENCES tenants(id),
  customer_id  text,
  channel      text NOT NULL CHECK (channel IN ('sms', 'email', 'push')),
  recipient    text NOT NULL,
  body         text NOT NULL,
  created_at   timestamptz(3) NOT NULL DEFAULT now()
);
CREATE INDEX dev_messages_customer_idx ON dev_messages (tenant_id, customer_id, created_at);
