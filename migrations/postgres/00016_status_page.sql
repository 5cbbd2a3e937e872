-- The public status page. Nothing is public by default: an editor marks an
-- incident public and writes what customers read (public_title,
-- public_summary, public_impact); the internal title and summary never leave.
-- impact_started_at/impact_ended_at override the window the availability
-- figures count (default: started → mitigated/resolved). status_services
-- lists the services the page shows (incident service labels, admin-managed);
-- incident_updates are the customer updates posted while an incident runs.

-- +goose Up
ALTER TABLE incidents ADD COLUMN public BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE incidents ADD COLUMN public_title TEXT NOT NULL DEFAULT '';
ALTER TABLE incidents ADD COLUMN public_summary TEXT NOT NULL DEFAULT '';
ALTER TABLE incidents ADD COLUMN public_impact TEXT NOT NULL DEFAULT ''
    CONSTRAINT incidents_public_impact_check CHECK (public_impact IN ('', 'degraded', 'partial_outage', 'major_outage'));
ALTER TABLE incidents ADD COLUMN impact_started_at TIMESTAMPTZ;
ALTER TABLE incidents ADD COLUMN impact_ended_at TIMESTAMPTZ;
-- The status page reads only public incidents; few are.
CREATE INDEX incidents_public_idx ON incidents (id) WHERE public;

CREATE TABLE status_services (
    id           BIGSERIAL   NOT NULL,
    name         TEXT        NOT NULL,
    display_name TEXT        NOT NULL,
    description  TEXT        NOT NULL DEFAULT '',
    position     INTEGER     NOT NULL DEFAULT 0,
    created_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
    CONSTRAINT status_services_pkey PRIMARY KEY (id)
);
CREATE UNIQUE INDEX status_services_name_key ON status_services (lower(name));

CREATE TABLE incident_updates (
    id          BIGSERIAL   NOT NULL,
    incident_id BIGINT      NOT NULL,
    status      TEXT        NOT NULL,
    body        TEXT        NOT NULL,
    eta         TIMESTAMPTZ,
    posted_at   TIMESTAMPTZ NOT NULL,
    author      TEXT        NOT NULL DEFAULT '',
    created_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    CONSTRAINT incident_updates_pkey PRIMARY KEY (id),
    CONSTRAINT incident_updates_incident_id_fkey FOREIGN KEY (incident_id)
        REFERENCES incidents (id) ON DELETE CASCADE,
    CONSTRAINT incident_updates_status_check CHECK (status IN ('investigating', 'identified', 'monitoring', 'resolved'))
);
CREATE INDEX incident_updates_incident_posted_idx ON incident_updates (incident_id, posted_at, id);
-- The feed: the newest updates first.
CREATE INDEX incident_updates_posted_idx ON incident_updates (posted_at, id);

-- +goose Down
DROP TABLE incident_updates;
DROP TABLE status_services;
DROP INDEX incidents_public_idx;
ALTER TABLE incidents DROP COLUMN impact_ended_at;
ALTER TABLE incidents DROP COLUMN impact_started_at;
ALTER TABLE incidents DROP COLUMN public_impact;
ALTER TABLE incidents DROP COLUMN public_summary;
ALTER TABLE incidents DROP COLUMN public_title;
ALTER TABLE incidents DROP COLUMN public;
