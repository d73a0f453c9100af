-- Segments (@regulars/segments-store): a tenant's saved customer segments and their materialised members.

-- A segment is either a definition (JSON, compiled to parameterised ClickHouse SQL) or an analyst's raw SQL,
-- never both. `version` counts edits of the definition; `refreshes` counts materialisations, and the
-- segment.entered / segment.left events take their stable ids from it (segment, customer, refresh), so a
-- retried refresh writes nothing twice. A segment is refreshed when `refresh_interval_minutes` have passed
-- since `refreshed_at` (on schedule) and at once when it is created or changed.
CREATE TABLE segments (
  id                        text PRIMARY KEY,
  tenant_id                 text NOT NULL REFERENCES tenants(id),
  name                      text NOT NULL,
  kind                      text NOT NULL CHECK (kind IN ('definition', 'sql')),
  definition                jsonb,
  raw_sql                   text,
  version                   integer NOT NULL DEFAULT 1,
  status                    text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'paused')),
  refresh_interval_minutes  integer NOT NULL DEFAULT 60 CHECK (refresh_interval_minutes > 0),
  refreshes                 integer NOT NULL DEFAULT 0,
  refreshed_at              timestamptz(3),
  member_count              integer NOT NULL DEFAULT 0,
  last_error                text,
  created_by                text NOT NULL,
  created_at                timestamptz(3) NOT NULL DEFAULT now(),
  updated_at                timestamptz(3) NOT NULL DEFAULT now(),
  CHECK ((kind = 'definition') = (definition IS NOT NULL) AND (kind = 'sql') = (raw_sql IS NOT NULL))
);
CREATE UNIQUE INDEX segments_tenant_name_key ON segments (tenant_id, name);
-- The scheduler's question: which active segments are due.
CREATE INDEX segments_due_idx ON segments (tenant_id, refreshed_at) WHERE status = 'active';

-- Who is in a segment now, since when. No foreign key to customers: membership comes from ClickHouse's
-- snapshot, and a refresh drops a customer who is gone; the store only inserts the tenant's own customers.
CREATE TABLE segment_members (
  segment_id   text NOT NULL REFERENCES segments(id) ON DELETE CASCADE,
  customer_id  text NOT NULL,
  tenant_id    text NOT NULL REFERENCES tenants(id),
  entered_at   timestamptz(3) NOT NULL,
  PRIMARY KEY (segment_id, customer_id)
);
-- A customer's segments (profile pages, erasure).
CREATE INDEX segment_members_customer_idx ON segment_members (tenant_id, customer_id);
