-- Scheduled jobs, action policies and reminders (issue 10).
--
-- job_leases: one row per scheduled job ("reminders", "ticket-sync", ...).
-- A replica runs a job only while it holds the row's lease: it takes the
-- row when it is free, expired or already its own, in one statement, so two
-- replicas racing for it cannot both win.
--
-- action_policies: the days from an action's creation to its default due
-- date, per incident severity and action priority. Only cells an admin set
-- are stored; the others take the built-in defaults.
--
-- reminder_sends: every reminder digest sent (or that failed, or that test
-- mode printed), for the admin's record and for throttling.
--
-- corrective_actions.due_date_source: 'policy' when the due date was filled
-- in from the action policy, '' when a person set it (or none is set).

-- +goose Up
CREATE TABLE job_leases (
    name       TEXT NOT NULL,
    holder     TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    updated_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%f000Z', 'now')),
    CONSTRAINT job_leases_pkey PRIMARY KEY (name)
);

CREATE TABLE action_policies (
    severity   TEXT    NOT NULL,
    priority   TEXT    NOT NULL,
    days       INTEGER NOT NULL,
    updated_by TEXT    NOT NULL DEFAULT '',
    updated_at TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%f000Z', 'now')),
    CONSTRAINT action_policies_pkey PRIMARY KEY (severity, priority),
    CONSTRAINT action_policies_severity_check CHECK (severity IN ('SEV1', 'SEV2', 'SEV3', 'SEV4', 'SEV5')),
    CONSTRAINT action_policies_priority_check CHECK (priority IN ('critical', 'high', 'medium', 'low')),
    CONSTRAINT action_policies_days_check CHECK (days BETWEEN 1 AND 3650)
);

CREATE TABLE reminder_sends (
    id           INTEGER,
    sent_at      TEXT    NOT NULL,
    channel      TEXT    NOT NULL,
    recipient    TEXT    NOT NULL,
    scope        TEXT    NOT NULL,
    subject      TEXT    NOT NULL DEFAULT '',
    action_ids   TEXT    NOT NULL DEFAULT '[]',
    action_count INTEGER NOT NULL DEFAULT 0,
    overdue      INTEGER NOT NULL DEFAULT 0,
    status       TEXT    NOT NULL,
    error        TEXT    NOT NULL DEFAULT '',
    CONSTRAINT reminder_sends_pkey PRIMARY KEY (id AUTOINCREMENT),
    CONSTRAINT reminder_sends_channel_check CHECK (channel IN ('slack', 'email')),
    CONSTRAINT reminder_sends_scope_check CHECK (scope IN ('owner', 'team')),
    CONSTRAINT reminder_sends_status_check CHECK (status IN ('ok', 'error', 'test'))
);
CREATE INDEX reminder_sends_sent_at_idx ON reminder_sends (sent_at DESC, id DESC);
CREATE INDEX reminder_sends_recipient_idx ON reminder_sends (channel, recipient, sent_at);

ALTER TABLE corrective_actions ADD COLUMN due_date_source TEXT NOT NULL DEFAULT ''
    CONSTRAINT corrective_actions_due_date_source_check CHECK (due_date_source IN ('', 'policy'));

-- +goose Down
ALTER TABLE corrective_actions DROP COLUMN due_date_source;
DROP TABLE reminder_sends;
DROP TABLE action_policies;
DROP TABLE job_leases;
