-- Counts of the closed corrective actions (done or won't do) for the
-- actions dashboard without filters: closed actions no longer change with
-- time (the overdue rule is for open ones), so the dashboard reads these
-- few rows plus the open actions (a partial index) instead of every action.
-- Triggers keep them in step in the same transaction as every write of an
-- action or of an incident's service labels (cascaded deletes included).
--   action_rollups: by team, owner (lower-cased), priority and status, with
--     the completion counts of the actions closed as done;
--   action_service_rollups: by service label and status;
--   action_close_day_counts: the actions closed as done by whole days to
--     close (the floor of the store's daysToCloseExpr), so a percentile is
--     found in its day and then read from corrective_actions_days_to_close_idx.

-- +goose Up
CREATE TABLE action_rollups (
    team           TEXT    NOT NULL,
    owner          TEXT    NOT NULL,
    priority       TEXT    NOT NULL,
    status         TEXT    NOT NULL,
    actions        INTEGER NOT NULL DEFAULT 0,
    done_completed INTEGER NOT NULL DEFAULT 0,
    with_due       INTEGER NOT NULL DEFAULT 0,
    on_time        INTEGER NOT NULL DEFAULT 0,
    CONSTRAINT action_rollups_pkey PRIMARY KEY (team, owner, priority, status)
);

CREATE TABLE action_service_rollups (
    service TEXT    NOT NULL,
    status  TEXT    NOT NULL,
    actions INTEGER NOT NULL DEFAULT 0,
    CONSTRAINT action_service_rollups_pkey PRIMARY KEY (service, status)
);

CREATE TABLE action_close_day_counts (
    days    INTEGER NOT NULL,
    actions INTEGER NOT NULL DEFAULT 0,
    CONSTRAINT action_close_day_counts_pkey PRIMARY KEY (days)
);

-- The open actions the dashboard counts live.
CREATE INDEX corrective_actions_open_idx ON corrective_actions
    (lower(team), lower(owner), priority, status, due_date, incident_id) WHERE status IN ('open', 'in_progress');

INSERT INTO action_rollups (team, owner, priority, status, actions, done_completed, with_due, on_time)
SELECT lower(team), lower(owner), priority, status, count(*),
    SUM(status = 'done' AND completed_at IS NOT NULL),
    SUM(status = 'done' AND completed_at IS NOT NULL AND due_date IS NOT NULL),
    SUM(COALESCE(status = 'done' AND completed_at IS NOT NULL AND due_date >= substr(completed_at, 1, 10), 0))
FROM corrective_actions WHERE status IN ('done', 'wont_do') GROUP BY 1, 2, 3, 4;

INSERT INTO action_service_rollups (service, status, actions)
SELECT l.value, a.status, count(*) FROM corrective_actions a
JOIN incident_labels l ON l.incident_id = a.incident_id AND l.kind = 'service'
WHERE a.status IN ('done', 'wont_do') GROUP BY 1, 2;

INSERT INTO action_close_day_counts (days, actions)
SELECT CAST((julianday(completed_at) - julianday(created_at)) + 100000 AS INTEGER) - 100000, count(*)
FROM corrective_actions WHERE status = 'done' AND completed_at IS NOT NULL GROUP BY 1;

-- +goose StatementBegin
CREATE TRIGGER corrective_actions_rollup_insert AFTER INSERT ON corrective_actions
WHEN NEW.status IN ('done', 'wont_do')
BEGIN
    INSERT INTO action_rollups (team, owner, priority, status, actions, done_completed, with_due, on_time)
    SELECT lower(NEW.team), lower(NEW.owner), NEW.priority, NEW.status, 1,
        NEW.status = 'done' AND NEW.completed_at IS NOT NULL,
        NEW.status = 'done' AND NEW.completed_at IS NOT NULL AND NEW.due_date IS NOT NULL,
        COALESCE(NEW.status = 'done' AND NEW.completed_at IS NOT NULL AND NEW.due_date >= substr(NEW.completed_at, 1, 10), 0)
    WHERE true
    ON CONFLICT (team, owner, priority, status) DO UPDATE SET actions = actions + excluded.actions,
        done_completed = done_completed + excluded.done_completed, with_due = with_due + excluded.with_due,
        on_time = on_time + excluded.on_time;
    INSERT INTO action_service_rollups (service, status, actions)
    SELECT value, NEW.status, 1 FROM incident_labels WHERE incident_id = NEW.incident_id AND kind = 'service'
    ON CONFLICT (service, status) DO UPDATE SET actions = actions + excluded.actions;
    INSERT INTO action_close_day_counts (days, actions)
    SELECT CAST((julianday(NEW.completed_at) - julianday(NEW.created_at)) + 100000 AS INTEGER) - 100000, 1
    WHERE NEW.status = 'done' AND NEW.completed_at IS NOT NULL
    ON CONFLICT (days) DO UPDATE SET actions = actions + excluded.actions;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER corrective_actions_rollup_delete AFTER DELETE ON corrective_actions
WHEN OLD.status IN ('done', 'wont_do')
BEGIN
    INSERT INTO action_rollups (team, owner, priority, status, actions, done_completed, with_due, on_time)
    SELECT lower(OLD.team), lower(OLD.owner), OLD.priority, OLD.status, -1,
        -(OLD.status = 'done' AND OLD.completed_at IS NOT NULL),
        -(OLD.status = 'done' AND OLD.completed_at IS NOT NULL AND OLD.due_date IS NOT NULL),
        -COALESCE(OLD.status = 'done' AND OLD.completed_at IS NOT NULL AND OLD.due_date >= substr(OLD.completed_at, 1, 10), 0)
    WHERE true
    ON CONFLICT (team, owner, priority, status) DO UPDATE SET actions = actions + excluded.actions,
        done_completed = done_completed + excluded.done_completed, with_due = with_due + excluded.with_due,
        on_time = on_time + excluded.on_time;
    INSERT INTO action_service_rollups (service, status, actions)
    SELECT value, OLD.status, -1 FROM incident_labels WHERE incident_id = OLD.incident_id AND kind = 'service'
    ON CONFLICT (service, status) DO UPDATE SET actions = actions + excluded.actions;
    INSERT INTO action_close_day_counts (days, actions)
    SELECT CAST((julianday(OLD.completed_at) - julianday(OLD.created_at)) + 100000 AS INTEGER) - 100000, -1
    WHERE OLD.status = 'done' AND OLD.completed_at IS NOT NULL
    ON CONFLICT (days) DO UPDATE SET actions = actions + excluded.actions;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER corrective_actions_rollup_update AFTER UPDATE ON corrective_actions
WHEN OLD.status IN ('done', 'wont_do') OR NEW.status IN ('done', 'wont_do')
BEGIN
    INSERT INTO action_rollups (team, owner, priority, status, actions, done_completed, with_due, on_time)
    SELECT lower(OLD.team), lower(OLD.owner), OLD.priority, OLD.status, -1,
        -(OLD.status = 'done' AND OLD.completed_at IS NOT NULL),
        -(OLD.status = 'done' AND OLD.completed_at IS NOT NULL AND OLD.due_date IS NOT NULL),
        -COALESCE(OLD.status = 'done' AND OLD.completed_at IS NOT NULL AND OLD.due_date >= substr(OLD.completed_at, 1, 10), 0)
    WHERE OLD.status IN ('done', 'wont_do')
    ON CONFLICT (team, owner, priority, status) DO UPDATE SET actions = actions + excluded.actions,
        done_completed = done_completed + excluded.done_completed, with_due = with_due + excluded.with_due,
        on_time = on_time + excluded.on_time;
    INSERT INTO action_service_rollups (service, status, actions)
    SELECT value, OLD.status, -1 FROM incident_labels WHERE incident_id = OLD.incident_id AND kind = 'service' AND OLD.status IN ('done', 'wont_do')
    ON CONFLICT (service, status) DO UPDATE SET actions = actions + excluded.actions;
    INSERT INTO action_close_day_counts (days, actions)
    SELECT CAST((julianday(OLD.completed_at) - julianday(OLD.created_at)) + 100000 AS INTEGER) - 100000, -1
    WHERE OLD.status = 'done' AND OLD.completed_at IS NOT NULL
    ON CONFLICT (days) DO UPDATE SET actions = actions + excluded.actions;
    INSERT INTO action_rollups (team, owner, priority, status, actions, done_completed, with_due, on_time)
    SELECT lower(NEW.team), lower(NEW.owner), NEW.priority, NEW.status, 1,
        NEW.status = 'done' AND NEW.completed_at IS NOT NULL,
        NEW.status = 'done' AND NEW.completed_at IS NOT NULL AND NEW.due_date IS NOT NULL,
        COALESCE(NEW.status = 'done' AND NEW.completed_at IS NOT NULL AND NEW.due_date >= substr(NEW.completed_at, 1, 10), 0)
    WHERE NEW.status IN ('done', 'wont_do')
    ON CONFLICT (team, owner, priority, status) DO UPDATE SET actions = actions + excluded.actions,
        done_completed = done_completed + excluded.done_completed, with_due = with_due + excluded.with_due,
        on_time = on_time + excluded.on_time;
    INSERT INTO action_service_rollups (service, status, actions)
    SELECT value, NEW.status, 1 FROM incident_labels WHERE incident_id = NEW.incident_id AND kind = 'service' AND NEW.status IN ('done', 'wont_do')
    ON CONFLICT (service, status) DO UPDATE SET actions = actions + excluded.actions;
    INSERT INTO action_close_day_counts (days, actions)
    SELECT CAST((julianday(NEW.completed_at) - julianday(NEW.created_at)) + 100000 AS INTEGER) - 100000, 1
    WHERE NEW.status = 'done' AND NEW.completed_at IS NOT NULL
    ON CONFLICT (days) DO UPDATE SET actions = actions + excluded.actions;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER incident_labels_rollup_insert AFTER INSERT ON incident_labels WHEN NEW.kind = 'service'
BEGIN
    INSERT INTO action_service_rollups (service, status, actions)
    SELECT NEW.value, status, count(*) FROM corrective_actions
    WHERE incident_id = NEW.incident_id AND status IN ('done', 'wont_do') GROUP BY status
    ON CONFLICT (service, status) DO UPDATE SET actions = actions + excluded.actions;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER incident_labels_rollup_delete AFTER DELETE ON incident_labels WHEN OLD.kind = 'service'
BEGIN
    INSERT INTO action_service_rollups (service, status, actions)
    SELECT OLD.value, status, -count(*) FROM corrective_actions
    WHERE incident_id = OLD.incident_id AND status IN ('done', 'wont_do') GROUP BY status
    ON CONFLICT (service, status) DO UPDATE SET actions = actions + excluded.actions;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER incident_labels_rollup_update AFTER UPDATE ON incident_labels
WHEN OLD.kind = 'service' OR NEW.kind = 'service'
BEGIN
    INSERT INTO action_service_rollups (service, status, actions)
    SELECT OLD.value, status, -count(*) FROM corrective_actions
    WHERE incident_id = OLD.incident_id AND status IN ('done', 'wont_do') AND OLD.kind = 'service' GROUP BY status
    ON CONFLICT (service, status) DO UPDATE SET actions = actions + excluded.actions;
    INSERT INTO action_service_rollups (service, status, actions)
    SELECT NEW.value, status, count(*) FROM corrective_actions
    WHERE incident_id = NEW.incident_id AND status IN ('done', 'wont_do') AND NEW.kind = 'service' GROUP BY status
    ON CONFLICT (service, status) DO UPDATE SET actions = actions + excluded.actions;
END;
-- +goose StatementEnd

-- +goose Down
DROP TRIGGER incident_labels_rollup_update;
DROP TRIGGER incident_labels_rollup_delete;
DROP TRIGGER incident_labels_rollup_insert;
DROP TRIGGER corrective_actions_rollup_update;
DROP TRIGGER corrective_actions_rollup_delete;
DROP TRIGGER corrective_actions_rollup_insert;
DROP INDEX corrective_actions_open_idx;
DROP TABLE action_close_day_counts;
DROP TABLE action_service_rollups;
DROP TABLE action_rollups;
