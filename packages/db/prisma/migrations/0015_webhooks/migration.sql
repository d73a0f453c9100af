-- Webhooks (@regulars/webhooks-store): tenants' endpoints and the deliveries of domain events to them.

-- An endpoint: a URL a tenant subscribed to event types (exact, `points.*`, `*`), with the Standard Webhooks
-- secret its deliveries are signed with. After a rotation the previous secret also signs until
-- `previous_secret_expires_at`, so receivers can switch without losing a delivery. An endpoint whose every
-- attempt failed for a day is `disabled` with the reason; `failing_since` is the first failure since the last
-- success (null while it works).
CREATE TABLE webhook_endpoints (
  id                          text PRIMARY KEY,
  tenant_id                   text NOT NULL REFERENCES tenants(id),
  url                         text NOT NULL,
  description                 text NOT NULL DEFAULT '',
  event_types                 text[] NOT NULL,
  secret                      text NOT NULL,
  previous_secret             text,
  previous_secret_expires_at  timestamptz(3),
  status                      text NOT NULL DEFAULT 'enabled' CHECK (status IN ('enabled', 'disabled')),
  disabled_reason             text,
  disabled_at                 timestamptz(3),
  consecutive_failures        integer NOT NULL DEFAULT 0,
  failing_since               timestamptz(3),
  last_success_at             timestamptz(3),
  created_by                  text NOT NULL,
  created_at                  timestamptz(3) NOT NULL DEFAULT now(),
  updated_at                  timestamptz(3) NOT NULL DEFAULT now()
);
CREATE INDEX webhook_endpoints_tenant_idx ON webhook_endpoints (tenant_id, status);

-- One delivery of one event to one endpoint. `id` is the `webhook-id` header: the same on every attempt and
-- replay, so receivers de-duplicate by it. (endpoint_id, event_id) is unique: a domain event delivered to the
-- fan-out twice is enqueued once. `next_attempt_at` is also the claim: a sender moves it past the attempt's
-- timeout when it takes the delivery, so no other sender takes the same attempt. Retries last until
-- `window_started_at` + 24 h (the window starts again on replay).
CREATE TABLE webhook_deliveries (
  id                 text PRIMARY KEY,
  tenant_id          text NOT NULL REFERENCES tenants(id),
  endpoint_id        text NOT NULL REFERENCES webhook_endpoints(id) ON DELETE CASCADE,
  event_id           text NOT NULL,
  event_type         text NOT NULL,
  payload            jsonb NOT NULL,
  status             text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'delivered', 'failed')),
  attempts           integer NOT NULL DEFAULT 0,
  next_attempt_at    timestamptz(3) NOT NULL,
  window_started_at  timestamptz(3) NOT NULL,
  last_attempt_at    timestamptz(3),
  last_status_code   integer,
  last_error         text,
  delivered_at       timestamptz(3),
  created_at         timestamptz(3) NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX webhook_deliveries_endpoint_event_key ON webhook_deliveries (endpoint_id, event_id);
-- The senders' question: what is due.
CREATE INDEX webhook_deliveries_due_idx ON webhook_deliveries (next_attempt_at) WHERE status = 'pending';
-- The admin's list: an endpoint's deliveries, newest first, failed ones on their own.
CREATE INDEX webhook_deliveries_endpoint_idx ON webhook_deliveries (tenant_id, endpoint_id, status, id);
