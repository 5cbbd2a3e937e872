-- The sessions table keys a session by the SHA-256 of its token (hex), not
-- the token itself, so a copy of the database or of a backup holds nothing
-- a browser could present. Rows written before keep the token in clear:
-- they could never be found again, and they are the very thing to get rid
-- of, so they are deleted; everyone signs in again once.

-- +goose Up
DELETE FROM sessions;

-- +goose Down
-- Hashed keys cannot be turned back into tokens: signing in again is the
-- only way back.
DELETE FROM sessions;
