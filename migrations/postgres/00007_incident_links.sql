-- What an incident was built from elsewhere: the tickets imported or pulled
-- into its timeline (system jira/redmine/…, key, url), so the same ticket can
-- be pulled again, and the post-mortem file or page it was imported from
-- (system "postmortem"), so importing a library twice adds nothing.

-- +goose Up
CREATE TABLE incident_links (
    id             BIGSERIAL   NOT NULL,
    incident_id    BIGINT      NOT NULL,
    system         TEXT        NOT NULL,
    key            TEXT        NOT NULL,
    url            TEXT        NOT NULL DEFAULT '',
    title          TEXT        NOT NULL DEFAULT '',
    created_at     TIMESTAMPTZ NOT NULL DEFAULT now(),
    last_pulled_at TIMESTAMPTZ,
    CONSTRAINT incident_links_pkey PRIMARY KEY (id),
    CONSTRAINT incident_links_incident_id_fkey FOREIGN KEY (incident_id)
        REFERENCES incidents (id) ON DELETE CASCADE,
    CONSTRAINT incident_links_incident_system_key_key UNIQUE (incident_id, system, key)
);
CREATE INDEX incident_links_system_key_idx ON incident_links (system, key);

-- +goose Down
DROP TABLE incident_links;
