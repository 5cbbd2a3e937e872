-- What an incident was built from elsewhere: the tickets imported or pulled
-- into its timeline (system jira/redmine/…, key, url), so the same ticket can
-- be pulled again, and the post-mortem file or page it was imported from
-- (system "postmortem"), so importing a library twice adds nothing.

-- +goose Up
CREATE TABLE incident_links (
    id             INTEGER,
    incident_id    INTEGER     NOT NULL,
    system         TEXT        NOT NULL,
    key            TEXT        NOT NULL,
    url            TEXT        NOT NULL DEFAULT '',
    title          TEXT        NOT NULL DEFAULT '',
    created_at     TEXT        NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%f000Z', 'now')),
    last_pulled_at TEXT,
    CONSTRAINT incident_links_pkey PRIMARY KEY (id AUTOINCREMENT),
    CONSTRAINT incident_links_incident_id_fkey FOREIGN KEY (incident_id)
        REFERENCES incidents (id) ON DELETE CASCADE,
    CONSTRAINT incident_links_incident_system_key_key UNIQUE (incident_id, system, key)
);
CREATE INDEX incident_links_system_key_idx ON incident_links (system, key);

-- +goose Down
DROP TABLE incident_links;
