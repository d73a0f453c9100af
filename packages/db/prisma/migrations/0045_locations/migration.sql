-- A tenant's locations (@regulars/tenancy, `locations.ts`): what a till's `locationId` names, with an optional
-- display name and IANA time zone. Locations stay free strings on sales and quotes; a row exists only once an admin
-- set one, so an id without a row is a location in the tenant's zone (`timezone` NULL means the same).
-- `updated_at` is what the programme cache (@regulars/programme, `cache.ts`) compares to see a change.
CREATE TABLE locations (
  tenant_id   text NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  id          text NOT NULL CHECK (id ~ '^[A-Za-z0-9_-]{1,64}$'),
  name        text CHECK (char_length(name) BETWEEN 1 AND 100),
  timezone    text,
  created_at  timestamptz(3) NOT NULL DEFAULT now(),
  updated_at  timestamptz(3) NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id)
);
