-- Ticket sync. A corrective action linked to a tracker ticket remembers why
-- its last sync failed (shown to users, cleared by the next success). An
-- incident still not resolved some hours after it started gets one ticket
-- by policy: the unique constraint keeps it to one even with two replicas,
-- and the row is claimed before the tracker is asked (claimed_at). A failed
-- filing is retried next round; a replica dying between the tracker's
-- answer and recording it leaves a claim that is retried after 5 minutes,
-- which can file a second ticket (rare; see README, Ticket sync).

-- +goose Up
ALTER TABLE corrective_actions ADD COLUMN ticket_sync_error TEXT NOT NULL DEFAULT '';
ALTER TABLE corrective_actions ADD COLUMN ticket_sync_error_at TIMESTAMPTZ;
-- What ticket sync reads each round: linked actions not yet closed.
CREATE INDEX corrective_actions_ticket_open_idx ON corrective_actions (id)
    WHERE ticket_key <> '' AND status IN ('open', 'in_progress');

CREATE TABLE incident_tickets (
    id            BIGSERIAL   NOT NULL,
    incident_id   BIGINT      NOT NULL,
    system        TEXT        NOT NULL,
    ticket_key    TEXT        NOT NULL DEFAULT '',
    ticket_url    TEXT        NOT NULL DEFAULT '',
    ticket_status TEXT        NOT NULL DEFAULT '',
    sync_error    TEXT        NOT NULL DEFAULT '',
    attempts      INTEGER     NOT NULL DEFAULT 0,
    claimed_at    TIMESTAMPTZ,
    created_at    TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at    TIMESTAMPTZ NOT NULL DEFAULT now(),
    CONSTRAINT incident_tickets_pkey PRIMARY KEY (id),
    CONSTRAINT incident_tickets_incident_id_fkey FOREIGN KEY (incident_id)
        REFERENCES incidents (id) ON DELETE CASCADE,
    CONSTRAINT incident_tickets_incident_id_key UNIQUE (incident_id)
);

-- +goose Down
DROP TABLE incident_tickets;
DROP INDEX corrective_actions_ticket_open_idx;
ALTER TABLE corrective_actions DROP COLUMN ticket_sync_error_at;
ALTER TABLE corrective_actions DROP COLUMN ticket_sync_error;
