-- Live webhooks. A hook is one integration (a PagerDuty subscription, an
-- Alertmanager receiver …): the sender authenticates with the hook's URL
-- token (kept as its SHA-256 only) and, where the vendor signs deliveries,
-- its signing secret. Every alert event a hook delivers is kept once in
-- alerts (unique per source and external id): routed to an incident (then
-- event_id names its timeline event) or waiting in the alert inbox
-- (incident_id NULL, not dismissed).

-- +goose Up
CREATE TABLE hooks (
    id               INTEGER,
    source           TEXT        NOT NULL,
    name             TEXT        NOT NULL,
    token_hash       TEXT        NOT NULL,
    signing_secret   TEXT        NOT NULL DEFAULT '',
    mapping          TEXT        NOT NULL DEFAULT '{}',
    created_by       TEXT        NOT NULL DEFAULT '',
    created_at       TEXT        NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%f000Z', 'now')),
    last_delivery_at TEXT,
    disabled_at      TEXT,
    CONSTRAINT hooks_pkey PRIMARY KEY (id AUTOINCREMENT),
    CONSTRAINT hooks_name_key UNIQUE (name),
    CONSTRAINT hooks_token_hash_key UNIQUE (token_hash)
);

CREATE TABLE alerts (
    id               INTEGER,
    hook_id          INTEGER,
    source           TEXT        NOT NULL,
    external_id      TEXT        NOT NULL,
    thread_id        TEXT        NOT NULL DEFAULT '',
    occurred_at      TEXT        NOT NULL,
    occurred_at_text TEXT        NOT NULL DEFAULT '',
    actor            TEXT        NOT NULL DEFAULT '',
    body             TEXT        NOT NULL,
    link             TEXT        NOT NULL DEFAULT '',
    metadata         TEXT        NOT NULL DEFAULT '{}',
    service          TEXT        NOT NULL DEFAULT '',
    severity         TEXT        NOT NULL DEFAULT '',
    subtype          TEXT        NOT NULL DEFAULT '',
    received_at      TEXT        NOT NULL,
    incident_id      INTEGER,
    event_id         INTEGER,
    routed_by        TEXT        NOT NULL DEFAULT '',
    routed_at        TEXT,
    dismissed_at     TEXT,
    dismissed_by     TEXT        NOT NULL DEFAULT '',
    CONSTRAINT alerts_pkey PRIMARY KEY (id AUTOINCREMENT),
    CONSTRAINT alerts_hook_id_fkey FOREIGN KEY (hook_id)
        REFERENCES hooks (id) ON DELETE SET NULL,
    CONSTRAINT alerts_incident_id_fkey FOREIGN KEY (incident_id)
        REFERENCES incidents (id) ON DELETE SET NULL,
    CONSTRAINT alerts_event_id_fkey FOREIGN KEY (event_id)
        REFERENCES timeline_events (id) ON DELETE SET NULL,
    CONSTRAINT alerts_source_external_id_key UNIQUE (source, external_id)
);
CREATE INDEX alerts_thread_idx ON alerts (source, thread_id);
CREATE INDEX alerts_inbox_idx ON alerts (received_at, id) WHERE incident_id IS NULL AND dismissed_at IS NULL;
CREATE INDEX alerts_incident_id_idx ON alerts (incident_id);

-- +goose Down
DROP TABLE alerts;
DROP TABLE hooks;
