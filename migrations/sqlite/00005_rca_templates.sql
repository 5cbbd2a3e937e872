-- Custom RCA templates, managed by admins. They override the built-in
-- templates and those of HINDSIGHT_TEMPLATES_DIR with the same key. The
-- sections (key, title, help, audience, required, block, body) are kept as
-- one JSON array: a template is always read and written whole.

-- +goose Up
CREATE TABLE rca_templates (
    id          INTEGER,
    key         TEXT        NOT NULL,
    name        TEXT        NOT NULL,
    description TEXT        NOT NULL DEFAULT '',
    sections    TEXT        NOT NULL DEFAULT '[]',
    created_by  TEXT        NOT NULL DEFAULT '',
    updated_by  TEXT        NOT NULL DEFAULT '',
    version     INTEGER     NOT NULL DEFAULT 1,
    created_at  TEXT        NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%f000Z', 'now')),
    updated_at  TEXT        NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%f000Z', 'now')),
    CONSTRAINT rca_templates_pkey PRIMARY KEY (id AUTOINCREMENT),
    CONSTRAINT rca_templates_key_key UNIQUE (key)
);

-- +goose Down
DROP TABLE rca_templates;
