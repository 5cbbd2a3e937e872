-- Recurrence warnings: an open incident that looks very much like a past one
-- whose corrective actions were all closed (so they did not prevent it). The
-- indexer of every replica checks, so one pair is flagged once: the unique
-- constraint makes the insert of the second replica a no-op. A dismissed
-- flag stays, so the pair is not flagged again.

-- +goose Up
CREATE TABLE recurrences (
    id               BIGSERIAL        NOT NULL,
    incident_id      BIGINT           NOT NULL,
    past_incident_id BIGINT           NOT NULL,
    relative         DOUBLE PRECISION NOT NULL,
    score            DOUBLE PRECISION NOT NULL,
    reasons          TEXT             NOT NULL DEFAULT '[]',
    actions_closed   INTEGER          NOT NULL DEFAULT 0,
    created_at       TIMESTAMPTZ      NOT NULL DEFAULT now(),
    dismissed_at     TIMESTAMPTZ,
    dismissed_by     TEXT             NOT NULL DEFAULT '',
    CONSTRAINT recurrences_pkey PRIMARY KEY (id),
    CONSTRAINT recurrences_incident_id_fkey FOREIGN KEY (incident_id)
        REFERENCES incidents (id) ON DELETE CASCADE,
    CONSTRAINT recurrences_past_incident_id_fkey FOREIGN KEY (past_incident_id)
        REFERENCES incidents (id) ON DELETE CASCADE,
    CONSTRAINT recurrences_incident_past_key UNIQUE (incident_id, past_incident_id)
);
-- The managers' list: not dismissed, newest first.
CREATE INDEX recurrences_dismissed_created_idx ON recurrences (dismissed_at, created_at);
-- Deleting a past incident cascades through this column.
CREATE INDEX recurrences_past_incident_idx ON recurrences (past_incident_id);

-- +goose Down
DROP TABLE recurrences;
