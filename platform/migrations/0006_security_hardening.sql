-- Security hardening (issue 15): system accounts by marker, the first admin by a
-- one-time setup token, single-use events tickets, shared rate-limit counters and an
-- absolute lifetime for refresh-token families.

-- System accounts are found by this marker, never by a name a person can register.
ALTER TABLE users ADD COLUMN system_account text;
CREATE UNIQUE INDEX users_system_account_key ON users (system_account)
  WHERE system_account IS NOT NULL;
-- The operator's account as the controller created it before the marker existed: no
-- password, no OIDC subject, its reserved email. A person who registered the name has a
-- password, keeps their account and gains nothing. The new name and email are not valid
-- for registration (":" is not allowed in either), so nobody can take them.
UPDATE users
SET system_account = 'kubernetes-operator',
    username = 'system:kubernetes-operator',
    email = 'system:kubernetes-operator',
    updated_at = now()
WHERE lower(username) = 'kubernetes-operator'
  AND password_hash IS NULL
  AND oidc_subject IS NULL
  AND email = 'operator@videoforge.invalid';

-- One-time tokens that make their registrant the first admin (printed in the log at a
-- start with no admin). Only the hash is kept.
CREATE TABLE admin_setup_tokens (
  token_hash text PRIMARY KEY,
  created_at timestamptz NOT NULL DEFAULT now(),
  used_at    timestamptz
);

-- Short-lived, single-use tickets for the events stream (EventSource cannot send an
-- Authorization header, and an access token in a URL ends up in proxy logs).
CREATE TABLE event_tickets (
  ticket_hash           text PRIMARY KEY,
  user_id               bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  expires_at            timestamptz NOT NULL,
  -- When the access token the ticket was bought with expires: the stream ends then.
  credential_expires_at timestamptz NOT NULL
);
CREATE INDEX event_tickets_expires_idx ON event_tickets (expires_at);

-- rate-limiter-flexible's Postgres store (RateLimiterPostgres's own table layout), so
-- every API replica counts into the same rows.
CREATE TABLE rate_limits (
  key    varchar(255) PRIMARY KEY,
  points integer NOT NULL DEFAULT 0,
  expire bigint
);

-- A refresh-token family (one sign-in and its rotations) ends at this time however
-- often it is rotated.
ALTER TABLE refresh_tokens ADD COLUMN family_expires_at timestamptz;
UPDATE refresh_tokens SET family_expires_at = created_at + interval '90 days';
ALTER TABLE refresh_tokens ALTER COLUMN family_expires_at SET NOT NULL;
