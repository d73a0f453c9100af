-- Staff accounts (@regulars/staff): the people who sign in to the admin web app with an e-mail and a password,
-- their signed-in sessions, and failed sign-ins for throttling.

-- A person who signs in to a tenant's admin app. `email` is stored lower-cased and unique across all tenants, so
-- signing in needs no tenant. `password_hash` is a self-describing scrypt string (`scrypt$N$r$p$salt$hash`).
-- Removing a member deletes the row (and, by cascade, their sessions): nothing else refers to a staff id but
-- audit rows, which name it as text.
CREATE TABLE staff_users (
  id            text PRIMARY KEY,
  tenant_id     text NOT NULL REFERENCES tenants(id),
  email         text NOT NULL UNIQUE CHECK (email = lower(email)),
  name          text NOT NULL,
  role          text NOT NULL CHECK (role IN ('owner', 'marketer', 'operator', 'analyst')),
  password_hash text NOT NULL,
  created_at    timestamptz(3) NOT NULL DEFAULT now(),
  updated_at    timestamptz(3) NOT NULL DEFAULT now()
);
CREATE INDEX staff_users_tenant_idx ON staff_users (tenant_id, role);

-- A signed-in session. The cookie's token is never stored, only its SHA-256 (hex): a copy of this table signs no
-- one in. `csrf_token` is handed to the web app at sign-in and must come back in `x-csrf-token` on every request.
-- Expiry slides: each use moves `expires_at` to 12 h later, never past 7 days after `created_at`.
CREATE TABLE staff_sessions (
  token_hash    text PRIMARY KEY,
  staff_id      text NOT NULL REFERENCES staff_users(id) ON DELETE CASCADE,
  csrf_token    text NOT NULL,
  created_at    timestamptz(3) NOT NULL DEFAULT now(),
  expires_at    timestamptz(3) NOT NULL,
  last_seen_at  timestamptz(3) NOT NULL DEFAULT now()
);
CREATE INDEX staff_sessions_staff_idx ON staff_sessions (staff_id);
CREATE INDEX staff_sessions_expiry_idx ON staff_sessions (expires_at);

-- Sign-in attempts that have not succeeded, for throttling by e-mail and by client IP in Postgres (every API
-- process counts the same rows). A row is written before the password is checked and deleted when it was right,
-- so attempts made at the same moment count against each other. Rows older than a day are pruned as new ones come.
CREATE TABLE staff_sign_in_failures (
  id            bigserial PRIMARY KEY,
  email         text NOT NULL,
  client_ip     text NOT NULL,
  attempted_at  timestamptz(3) NOT NULL DEFAULT now()
);
CREATE INDEX staff_sign_in_failures_email_idx ON staff_sign_in_failures (email, attempted_at);
CREATE INDEX staff_sign_in_failures_ip_idx ON staff_sign_in_failures (client_ip, attempted_at);
CREATE INDEX staff_sign_in_failures_age_idx ON staff_sign_in_failures (attempted_at);
