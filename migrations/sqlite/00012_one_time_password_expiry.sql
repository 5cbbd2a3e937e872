-- A generated one-time password ends: it is printed once (often into a
-- container log) and must not stay valid there for ever. NULL is a password
-- the user chose, which does not expire. One-time passwords that exist
-- already get the same 24 hours from the upgrade.

-- +goose Up
ALTER TABLE users ADD COLUMN password_expires_at TEXT;
UPDATE users SET password_expires_at = strftime('%Y-%m-%dT%H:%M:%f000Z', 'now', '+1 day')
WHERE must_change_password <> 0 AND password_hash IS NOT NULL;

-- +goose Down
ALTER TABLE users DROP COLUMN password_expires_at;
