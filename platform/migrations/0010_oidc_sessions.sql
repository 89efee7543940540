-- OIDC sign-in as a backend-for-frontend: the browser holds only our own rotating
-- refresh cookie (a refresh_tokens family); the identity provider's refresh token and
-- ID token stay here, sealed (AES-256-GCM under a key derived from JWT_SECRET), one
-- row per sign-in. Each refresh of the family refreshes at the provider too, so a user
-- disabled or signed out there loses the session here. The ID token is kept as the
-- end-session request's id_token_hint.
CREATE TABLE oidc_sessions (
  family_id             uuid PRIMARY KEY,
  user_id               bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  sealed_refresh_token  text,
  sealed_id_token       text,
  created_at            timestamptz NOT NULL DEFAULT now(),
  updated_at            timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX oidc_sessions_user_idx ON oidc_sessions (user_id);
