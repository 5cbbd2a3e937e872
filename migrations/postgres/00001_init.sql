-- Hindsight schema, PostgreSQL. Keep in step with ../sqlite/00001_init.sql
-- (same tables and columns; a test compares them).

-- +goose Up

CREATE TABLE incidents (
    id              BIGSERIAL   NOT NULL,
    key             TEXT,
    title           TEXT        NOT NULL,
    summary         TEXT        NOT NULL DEFAULT '',
    severity        TEXT        NOT NULL,
    status          TEXT        NOT NULL,
    services        JSONB       NOT NULL DEFAULT '[]',
    teams           JSONB       NOT NULL DEFAULT '[]',
    tags            JSONB       NOT NULL DEFAULT '[]',
    restricted_to   JSONB       NOT NULL DEFAULT '[]',
    commander       TEXT        NOT NULL DEFAULT '',
    visibility      TEXT        NOT NULL DEFAULT 'internal',
    customer_impact TEXT        NOT NULL DEFAULT '',
    started_at      TIMESTAMPTZ,
    detected_at     TIMESTAMPTZ,
    acknowledged_at TIMESTAMPTZ,
    mitigated_at    TIMESTAMPTZ,
    resolved_at     TIMESTAMPTZ,
    version         INTEGER     NOT NULL DEFAULT 1,
    created_at      TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at      TIMESTAMPTZ NOT NULL DEFAULT now(),
    CONSTRAINT incidents_pkey PRIMARY KEY (id),
    CONSTRAINT incidents_key_key UNIQUE (key),
    CONSTRAINT incidents_severity_check CHECK (severity IN ('SEV1', 'SEV2', 'SEV3', 'SEV4', 'SEV5')),
    CONSTRAINT incidents_status_check CHECK (status IN ('open', 'mitigated', 'resolved')),
    CONSTRAINT incidents_visibility_check CHECK (visibility IN ('internal', 'restricted'))
);
CREATE INDEX incidents_status_idx ON incidents (status);
CREATE INDEX incidents_severity_idx ON incidents (severity, id);
CREATE INDEX incidents_created_at_idx ON incidents (created_at, id);
CREATE INDEX incidents_updated_at_idx ON incidents (updated_at, id);
CREATE INDEX incidents_started_at_idx ON incidents ((COALESCE(started_at, created_at)), id);

CREATE TABLE import_batches (
    id          BIGSERIAL   NOT NULL,
    incident_id BIGINT      NOT NULL,
    source      TEXT        NOT NULL,
    file_name   TEXT        NOT NULL DEFAULT '',
    sha256      TEXT        NOT NULL DEFAULT '',
    window_from TIMESTAMPTZ,
    window_to   TIMESTAMPTZ,
    added       INTEGER     NOT NULL DEFAULT 0,
    duplicates  INTEGER     NOT NULL DEFAULT 0,
    rejected    INTEGER     NOT NULL DEFAULT 0,
    created_by  TEXT        NOT NULL DEFAULT '',
    created_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    undone_at   TIMESTAMPTZ,
    CONSTRAINT import_batches_pkey PRIMARY KEY (id),
    CONSTRAINT import_batches_incident_id_fkey FOREIGN KEY (incident_id)
        REFERENCES incidents (id) ON DELETE CASCADE
);
CREATE INDEX import_batches_incident_id_idx ON import_batches (incident_id, id);

CREATE TABLE timeline_events (
    id                   BIGSERIAL   NOT NULL,
    incident_id          BIGINT      NOT NULL,
    occurred_at          TIMESTAMPTZ NOT NULL,
    original_occurred_at TIMESTAMPTZ,
    occurred_at_text     TEXT        NOT NULL DEFAULT '',
    source               TEXT        NOT NULL,
    kind                 TEXT        NOT NULL,
    actor                TEXT        NOT NULL DEFAULT '',
    body                 TEXT        NOT NULL,
    link                 TEXT        NOT NULL DEFAULT '',
    external_id          TEXT,
    thread_id            TEXT        NOT NULL DEFAULT '',
    parent_id            TEXT        NOT NULL DEFAULT '',
    metadata             TEXT        NOT NULL DEFAULT '{}',
    key_event            BOOLEAN     NOT NULL DEFAULT FALSE,
    hidden               BOOLEAN     NOT NULL DEFAULT FALSE,
    import_batch_id      BIGINT,
    corrected_by         TEXT        NOT NULL DEFAULT '',
    corrected_at         TIMESTAMPTZ,
    version              INTEGER     NOT NULL DEFAULT 1,
    created_at           TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at           TIMESTAMPTZ NOT NULL DEFAULT now(),
    CONSTRAINT timeline_events_pkey PRIMARY KEY (id),
    CONSTRAINT timeline_events_incident_id_fkey FOREIGN KEY (incident_id)
        REFERENCES incidents (id) ON DELETE CASCADE,
    CONSTRAINT timeline_events_import_batch_id_fkey FOREIGN KEY (import_batch_id)
        REFERENCES import_batches (id) ON DELETE SET NULL,
    -- external_id is NULL when the source gave none, and NULLs never collide.
    CONSTRAINT timeline_events_source_external_id_key UNIQUE (incident_id, source, external_id)
);
CREATE INDEX timeline_events_occurred_at_idx ON timeline_events (incident_id, occurred_at, id);
CREATE INDEX timeline_events_import_batch_id_idx ON timeline_events (import_batch_id);

CREATE TABLE rcas (
    id          BIGSERIAL   NOT NULL,
    incident_id BIGINT      NOT NULL,
    template    TEXT        NOT NULL DEFAULT '',
    status      TEXT        NOT NULL,
    updated_by  TEXT        NOT NULL DEFAULT '',
    version     INTEGER     NOT NULL DEFAULT 1,
    created_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    CONSTRAINT rcas_pkey PRIMARY KEY (id),
    CONSTRAINT rcas_incident_id_key UNIQUE (incident_id),
    CONSTRAINT rcas_incident_id_fkey FOREIGN KEY (incident_id)
        REFERENCES incidents (id) ON DELETE CASCADE,
    CONSTRAINT rcas_status_check CHECK (status IN ('draft', 'in_review', 'published'))
);

CREATE TABLE rca_sections (
    rca_id   BIGINT  NOT NULL,
    position INTEGER NOT NULL,
    key      TEXT    NOT NULL,
    title    TEXT    NOT NULL,
    body     TEXT    NOT NULL DEFAULT '',
    audience TEXT    NOT NULL,
    CONSTRAINT rca_sections_pkey PRIMARY KEY (rca_id, position),
    CONSTRAINT rca_sections_key_key UNIQUE (rca_id, key),
    CONSTRAINT rca_sections_rca_id_fkey FOREIGN KEY (rca_id)
        REFERENCES rcas (id) ON DELETE CASCADE,
    CONSTRAINT rca_sections_audience_check CHECK (audience IN ('public', 'customer_success', 'internal'))
);

CREATE TABLE rca_revisions (
    id         BIGSERIAL   NOT NULL,
    rca_id     BIGINT      NOT NULL,
    version    INTEGER     NOT NULL,
    status     TEXT        NOT NULL,
    sections   TEXT        NOT NULL DEFAULT '[]',
    author     TEXT        NOT NULL DEFAULT '',
    created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    CONSTRAINT rca_revisions_pkey PRIMARY KEY (id),
    CONSTRAINT rca_revisions_version_key UNIQUE (rca_id, version),
    CONSTRAINT rca_revisions_rca_id_fkey FOREIGN KEY (rca_id)
        REFERENCES rcas (id) ON DELETE CASCADE
);

CREATE TABLE root_causes (
    id          BIGSERIAL   NOT NULL,
    incident_id BIGINT      NOT NULL,
    category    TEXT        NOT NULL,
    description TEXT        NOT NULL,
    version     INTEGER     NOT NULL DEFAULT 1,
    created_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    CONSTRAINT root_causes_pkey PRIMARY KEY (id),
    CONSTRAINT root_causes_incident_id_fkey FOREIGN KEY (incident_id)
        REFERENCES incidents (id) ON DELETE CASCADE
);
CREATE INDEX root_causes_incident_id_idx ON root_causes (incident_id, id);
CREATE INDEX root_causes_category_idx ON root_causes (category);

CREATE TABLE root_cause_evidence (
    root_cause_id     BIGINT  NOT NULL,
    timeline_event_id BIGINT  NOT NULL,
    position          INTEGER NOT NULL,
    CONSTRAINT root_cause_evidence_pkey PRIMARY KEY (root_cause_id, timeline_event_id),
    CONSTRAINT root_cause_evidence_root_cause_id_fkey FOREIGN KEY (root_cause_id)
        REFERENCES root_causes (id) ON DELETE CASCADE,
    CONSTRAINT root_cause_evidence_timeline_event_id_fkey FOREIGN KEY (timeline_event_id)
        REFERENCES timeline_events (id) ON DELETE CASCADE
);
CREATE INDEX root_cause_evidence_timeline_event_id_idx ON root_cause_evidence (timeline_event_id);

CREATE TABLE corrective_actions (
    id               BIGSERIAL   NOT NULL,
    incident_id      BIGINT      NOT NULL,
    title            TEXT        NOT NULL,
    description      TEXT        NOT NULL DEFAULT '',
    type             TEXT        NOT NULL,
    priority         TEXT        NOT NULL,
    owner            TEXT        NOT NULL DEFAULT '',
    team             TEXT        NOT NULL DEFAULT '',
    due_date         DATE,
    status           TEXT        NOT NULL,
    completed_at     TIMESTAMPTZ,
    ticket_system    TEXT        NOT NULL DEFAULT '',
    ticket_key       TEXT        NOT NULL DEFAULT '',
    ticket_url       TEXT        NOT NULL DEFAULT '',
    ticket_status    TEXT        NOT NULL DEFAULT '',
    ticket_synced_at TIMESTAMPTZ,
    version          INTEGER     NOT NULL DEFAULT 1,
    created_at       TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at       TIMESTAMPTZ NOT NULL DEFAULT now(),
    CONSTRAINT corrective_actions_pkey PRIMARY KEY (id),
    CONSTRAINT corrective_actions_incident_id_fkey FOREIGN KEY (incident_id)
        REFERENCES incidents (id) ON DELETE CASCADE,
    CONSTRAINT corrective_actions_type_check CHECK (type IN ('corrective', 'preventive', 'detective', 'mitigation')),
    CONSTRAINT corrective_actions_priority_check CHECK (priority IN ('critical', 'high', 'medium', 'low')),
    CONSTRAINT corrective_actions_status_check CHECK (status IN ('open', 'in_progress', 'done', 'wont_do'))
);
CREATE INDEX corrective_actions_incident_id_idx ON corrective_actions (incident_id);
CREATE INDEX corrective_actions_status_idx ON corrective_actions (status);
CREATE INDEX corrective_actions_owner_idx ON corrective_actions (lower(owner));
CREATE INDEX corrective_actions_team_idx ON corrective_actions (lower(team));
CREATE INDEX corrective_actions_due_date_idx ON corrective_actions (due_date, id);

-- The outbox: one row per change of a searchable object, written in the same
-- transaction as the change. No foreign keys: a delete must leave its change.
CREATE TABLE changes (
    seq         BIGSERIAL   NOT NULL,
    object_type TEXT        NOT NULL,
    object_id   BIGINT      NOT NULL,
    incident_id BIGINT      NOT NULL DEFAULT 0,
    op          TEXT        NOT NULL,
    created_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    CONSTRAINT changes_pkey PRIMARY KEY (seq),
    CONSTRAINT changes_op_check CHECK (op IN ('upsert', 'delete'))
);

-- +goose StatementBegin
CREATE FUNCTION changes_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('hindsight_changes', NEW.seq::text);
    RETURN NULL;
END;
$$;
-- +goose StatementEnd

CREATE TRIGGER changes_notify_trigger AFTER INSERT ON changes
    FOR EACH ROW EXECUTE FUNCTION changes_notify();

-- Audit entries outlive the objects they name: no foreign keys.
CREATE TABLE audit_entries (
    id          BIGSERIAL   NOT NULL,
    actor       TEXT        NOT NULL,
    action      TEXT        NOT NULL,
    object_type TEXT        NOT NULL DEFAULT '',
    object_id   BIGINT      NOT NULL DEFAULT 0,
    incident_id BIGINT,
    detail      TEXT        NOT NULL DEFAULT '',
    remote_addr TEXT        NOT NULL DEFAULT '',
    request_id  TEXT        NOT NULL DEFAULT '',
    created_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    CONSTRAINT audit_entries_pkey PRIMARY KEY (id)
);
CREATE INDEX audit_entries_incident_id_idx ON audit_entries (incident_id);
CREATE INDEX audit_entries_created_at_idx ON audit_entries (created_at);

-- +goose Down

DROP TABLE audit_entries;
DROP TRIGGER changes_notify_trigger ON changes;
DROP FUNCTION changes_notify();
DROP TABLE changes;
DROP TABLE corrective_actions;
DROP TABLE root_cause_evidence;
DROP TABLE root_causes;
DROP TABLE rca_revisions;
DROP TABLE rca_sections;
DROP TABLE rcas;
DROP TABLE timeline_events;
DROP TABLE import_batches;
DROP TABLE incidents;
