-- Campaigns and messages (@regulars/campaigns-store, @regulars/messages-store): templates, campaigns with their
-- versions, who entered a campaign and why, the steps to run, and every message with its delivery status.

-- A message template: one channel, one variant per language (`variants`: a JSON array of `MessageTemplate`s of
-- `@regulars/messaging`, checked when saved). Each save bumps `version`; a queued message keeps what it rendered.
CREATE TABLE message_templates (
  id           text PRIMARY KEY,
  tenant_id    text NOT NULL REFERENCES tenants(id),
  name         text NOT NULL,
  channel      text NOT NULL CHECK (channel IN ('email', 'sms', 'push')),
  variants     jsonb NOT NULL,
  version      integer NOT NULL DEFAULT 1,
  archived_at  timestamptz(3),
  created_by   text NOT NULL,
  created_at   timestamptz(3) NOT NULL DEFAULT now(),
  updated_at   timestamptz(3) NOT NULL DEFAULT now()
);
CREATE INDEX message_templates_tenant_idx ON message_templates (tenant_id, channel);

-- A campaign; its definition is the row of `campaign_versions` numbered `version`. `status` mirrors the
-- definition's so lists and the trigger worker read one column. `next_run_at` is the next broadcast run (null
-- when there is none), `started_at` when it first became active (always-on campaigns enrol the audience then).
CREATE TABLE campaigns (
  id           text PRIMARY KEY,
  tenant_id    text NOT NULL REFERENCES tenants(id),
  name         text NOT NULL,
  status       text NOT NULL CHECK (status IN ('draft', 'scheduled', 'active', 'paused', 'archived')),
  trigger_type text NOT NULL,
  version      integer NOT NULL,
  next_run_at  timestamptz(3),
  started_at   timestamptz(3),
  created_by   text NOT NULL,
  created_at   timestamptz(3) NOT NULL DEFAULT now(),
  updated_at   timestamptz(3) NOT NULL DEFAULT now()
);
CREATE INDEX campaigns_tenant_idx ON campaigns (tenant_id, status);
CREATE INDEX campaigns_due_idx ON campaigns (next_run_at) WHERE next_run_at IS NOT NULL;

-- Every saved definition (`CampaignDefinition` of `@regulars/contracts`), kept: steps name the version they ran.
CREATE TABLE campaign_versions (
  campaign_id  text NOT NULL REFERENCES campaigns(id) ON DELETE CASCADE,
  version      integer NOT NULL,
  definition   jsonb NOT NULL,
  created_by   text NOT NULL,
  created_at   timestamptz(3) NOT NULL DEFAULT now(),
  PRIMARY KEY (campaign_id, version)
);

-- One customer entering a campaign through one trigger occurrence (`occurrence`: the matcher's stable name,
-- e.g. `registered`, `milestone:500:2`, `broadcast:2026-03-01T17:00:00.000Z`). Unique, so a redelivered event,
-- a crash or a second worker enrols once. `outcome`: `entered` (steps planned), `control` (held out: the
-- control group's reference), `refused` (with `reason`: not in audience, already received, too soon…).
CREATE TABLE campaign_enrolments (
  id           text PRIMARY KEY,
  tenant_id    text NOT NULL REFERENCES tenants(id),
  campaign_id  text NOT NULL REFERENCES campaigns(id) ON DELETE CASCADE,
  version      integer NOT NULL,
  customer_id  text NOT NULL REFERENCES customers(id),
  occurrence   text NOT NULL,
  occurred_at  timestamptz(3) NOT NULL,
  outcome      text NOT NULL CHECK (outcome IN ('entered', 'control', 'refused')),
  reason       text,
  created_at   timestamptz(3) NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX campaign_enrolments_occurrence_key ON campaign_enrolments (campaign_id, customer_id, occurrence);
CREATE INDEX campaign_enrolments_customer_idx ON campaign_enrolments (tenant_id, customer_id);

-- One step of an enrolment (`key`: `stepKey` of `@regulars/campaigns`, unique, the idempotency key of whatever
-- the step does: the coupon's, the points movement's, the message's). Due steps are claimed with
-- `FOR UPDATE SKIP LOCKED`; `run_at` moves past a claim's timeout while it runs.
CREATE TABLE campaign_steps (
  key            text PRIMARY KEY,
  tenant_id      text NOT NULL REFERENCES tenants(id),
  campaign_id    text NOT NULL REFERENCES campaigns(id) ON DELETE CASCADE,
  enrolment_id   text NOT NULL REFERENCES campaign_enrolments(id) ON DELETE CASCADE,
  customer_id    text NOT NULL REFERENCES customers(id),
  step_index     integer NOT NULL,
  action         jsonb NOT NULL,
  run_at         timestamptz(3) NOT NULL,
  status         text NOT NULL CHECK (status IN ('pending', 'done', 'skipped', 'failed', 'cancelled')),
  reason         text,
  attempts       integer NOT NULL DEFAULT 0,
  last_error     text,
  result         jsonb,
  done_at        timestamptz(3),
  created_at     timestamptz(3) NOT NULL DEFAULT now()
);
CREATE INDEX campaign_steps_due_idx ON campaign_steps (run_at) WHERE status = 'pending';
CREATE INDEX campaign_steps_campaign_idx ON campaign_steps (campaign_id, status);
CREATE INDEX campaign_steps_customer_idx ON campaign_steps (tenant_id, customer_id);

-- Every message to a customer, from a campaign step (`step_key`, unique) or elsewhere. `content` is the
-- rendered `OutgoingMessage` of `@regulars/messaging` without its envelope; `to_address` what it was sent to.
-- `status` follows `laterStatus` (never back); `next_attempt_at` is due time and claim, as for webhooks.
-- `send_at` is when it may go out (local time, quiet hours): frequency caps count by it.
CREATE TABLE messages (
  id                   text PRIMARY KEY,
  tenant_id            text NOT NULL REFERENCES tenants(id),
  customer_id          text REFERENCES customers(id),
  campaign_id          text REFERENCES campaigns(id) ON DELETE SET NULL,
  step_key             text UNIQUE,
  template_id          text,
  channel              text NOT NULL CHECK (channel IN ('email', 'sms', 'push')),
  language             text NOT NULL,
  to_address           text NOT NULL,
  content              jsonb NOT NULL,
  status               text NOT NULL DEFAULT 'queued'
                        CHECK (status IN ('queued', 'sent', 'delivered', 'failed', 'opened', 'clicked', 'cancelled')),
  send_at              timestamptz(3) NOT NULL,
  next_attempt_at      timestamptz(3) NOT NULL,
  attempts             integer NOT NULL DEFAULT 0,
  provider             text,
  provider_message_id  text,
  last_error           text,
  failure_code         text,
  sent_at              timestamptz(3),
  delivered_at         timestamptz(3),
  opened_at            timestamptz(3),
  clicked_at           timestamptz(3),
  failed_at            timestamptz(3),
  created_at           timestamptz(3) NOT NULL DEFAULT now()
);
CREATE INDEX messages_due_idx ON messages (next_attempt_at) WHERE status = 'queued';
CREATE INDEX messages_customer_idx ON messages (tenant_id, customer_id, send_at);
CREATE INDEX messages_campaign_idx ON messages (campaign_id, status);
