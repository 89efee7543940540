-- The RFC 6238 time step of the last authenticator code accepted for each user: a code
-- is accepted once, so one read over a shoulder or from a phishing page cannot be
-- replayed within its 30-second window. Reset when the secret changes.
ALTER TABLE users ADD COLUMN mfa_last_time_step bigint;
