-- Sign-in: users (local passwords and OIDC identities), API tokens (only
-- their SHA-256 is kept) and server-side sessions shared by all replicas.
-- E-mail addresses are unique whatever their case.

-- +goose Up
CREATE TABLE users (
    id                   INTEGER,
    email                TEXT        NOT NULL,
    name                 TEXT        NOT NULL DEFAULT '',
    role                 TEXT        NOT NULL,
    password_hash        TEXT,
    must_change_password INTEGER     NOT NULL DEFAULT 0,
    oidc_issuer          TEXT        NOT NULL DEFAULT '',
    oidc_subject         TEXT        NOT NULL DEFAULT '',
    oidc_groups          TEXT        NOT NULL DEFAULT '[]',
    disabled             INTEGER     NOT NULL DEFAULT 0,
    session_version      INTEGER     NOT NULL DEFAULT 1,
    last_login_at        TEXT,
    created_at           TEXT        NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%f000Z', 'now')),
    updated_at           TEXT        NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%f000Z', 'now')),
    CONSTRAINT users_pkey PRIMARY KEY (id AUTOINCREMENT),
    CONSTRAINT users_role_check CHECK (role IN ('viewer', 'editor', 'admin'))
);
CREATE UNIQUE INDEX users_email_key ON users (lower(email));
CREATE UNIQUE INDEX users_oidc_key ON users (oidc_issuer, oidc_subject) WHERE oidc_subject <> '';

CREATE TABLE api_tokens (
    id           INTEGER,
    user_id      INTEGER     NOT NULL,
    name         TEXT        NOT NULL,
    scopes       TEXT        NOT NULL DEFAULT '[]',
    token_hash   TEXT        NOT NULL,
    prefix       TEXT        NOT NULL,
    expires_at   TEXT,
    last_used_at TEXT,
    revoked_at   TEXT,
    created_at   TEXT        NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%f000Z', 'now')),
    CONSTRAINT api_tokens_pkey PRIMARY KEY (id AUTOINCREMENT),
    CONSTRAINT api_tokens_user_id_fkey FOREIGN KEY (user_id)
        REFERENCES users (id) ON DELETE CASCADE,
    CONSTRAINT api_tokens_token_hash_key UNIQUE (token_hash)
);
CREATE INDEX api_tokens_user_id_idx ON api_tokens (user_id, id);

-- scs sessions: an opaque token, the encoded session and when it ends.
CREATE TABLE sessions (
    token  TEXT NOT NULL,
    data   BLOB NOT NULL,
    expiry TEXT NOT NULL,
    CONSTRAINT sessions_pkey PRIMARY KEY (token)
);
CREATE INDEX sessions_expiry_idx ON sessions (expiry);

-- +goose Down
DROP TABLE sessions;
DROP TABLE api_tokens;
DROP TABLE users;
