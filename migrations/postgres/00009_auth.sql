-- Sign-in: users (local passwords and OIDC identities), API tokens (only
-- their SHA-256 is kept) and server-side sessions shared by all replicas.
-- E-mail addresses are unique whatever their case.

-- +goose Up
CREATE TABLE users (
    id                   BIGSERIAL   NOT NULL,
    email                TEXT        NOT NULL,
    name                 TEXT        NOT NULL DEFAULT '',
    role                 TEXT        NOT NULL,
    password_hash        TEXT,
    must_change_password BOOLEAN     NOT NULL DEFAULT FALSE,
    oidc_issuer          TEXT        NOT NULL DEFAULT '',
    oidc_subject         TEXT        NOT NULL DEFAULT '',
    oidc_groups          JSONB       NOT NULL DEFAULT '[]',
    disabled             BOOLEAN     NOT NULL DEFAULT FALSE,
    session_version      INTEGER     NOT NULL DEFAULT 1,
    last_login_at        TIMESTAMPTZ,
    created_at           TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at           TIMESTAMPTZ NOT NULL DEFAULT now(),
    CONSTRAINT users_pkey PRIMARY KEY (id),
    CONSTRAINT users_role_check CHECK (role IN ('viewer', 'editor', 'admin'))
);
CREATE UNIQUE INDEX users_email_key ON users (lower(email));
CREATE UNIQUE INDEX users_oidc_key ON users (oidc_issuer, oidc_subject) WHERE oidc_subject <> '';

CREATE TABLE api_tokens (
    id           BIGSERIAL   NOT NULL,
    user_id      BIGINT      NOT NULL,
    name         TEXT        NOT NULL,
    scopes       JSONB       NOT NULL DEFAULT '[]',
    token_hash   TEXT        NOT NULL,
    prefix       TEXT        NOT NULL,
    expires_at   TIMESTAMPTZ,
    last_used_at TIMESTAMPTZ,
    revoked_at   TIMESTAMPTZ,
    created_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
    CONSTRAINT api_tokens_pkey PRIMARY KEY (id),
    CONSTRAINT api_tokens_user_id_fkey FOREIGN KEY (user_id)
        REFERENCES users (id) ON DELETE CASCADE,
    CONSTRAINT api_tokens_token_hash_key UNIQUE (token_hash)
);
CREATE INDEX api_tokens_user_id_idx ON api_tokens (user_id, id);

-- scs sessions: an opaque token, the encoded session and when it ends.
CREATE TABLE sessions (
    token  TEXT        NOT NULL,
    data   BYTEA       NOT NULL,
    expiry TIMESTAMPTZ NOT NULL,
    CONSTRAINT sessions_pkey PRIMARY KEY (token)
);
CREATE INDEX sessions_expiry_idx ON sessions (expiry);

-- +goose Down
DROP TABLE sessions;
DROP TABLE api_tokens;
DROP TABLE users;
