-- Counts of the closed corrective actions (done or won't do) for the
-- actions dashboard without filters: closed actions no longer change with
-- time (the overdue rule is for open ones), so the dashboard reads these
-- few rows plus the open actions (a partial index) instead of every action.
-- Triggers keep them in step in the same transaction as every write of an
-- action or of an incident's service labels (cascaded deletes included;
-- BEFORE row triggers, so that each sees the other table as the cascade
-- leaves it, whichever it deletes from first).
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
    count(*) FILTER (WHERE status = 'done' AND completed_at IS NOT NULL),
    count(*) FILTER (WHERE status = 'done' AND completed_at IS NOT NULL AND due_date IS NOT NULL),
    count(*) FILTER (WHERE status = 'done' AND completed_at IS NOT NULL AND due_date >= (completed_at AT TIME ZONE 'UTC')::date)
FROM corrective_actions WHERE status IN ('done', 'wont_do') GROUP BY 1, 2, 3, 4;

INSERT INTO action_service_rollups (service, status, actions)
SELECT l.value, a.status, count(*) FROM corrective_actions a
JOIN incident_labels l ON l.incident_id = a.incident_id AND l.kind = 'service'
WHERE a.status IN ('done', 'wont_do') GROUP BY 1, 2;

INSERT INTO action_close_day_counts (days, actions)
SELECT floor(extract(epoch FROM completed_at - created_at) / 86400)::integer, count(*)
FROM corrective_actions WHERE status = 'done' AND completed_at IS NOT NULL GROUP BY 1;

-- +goose StatementBegin
CREATE FUNCTION action_rollup_apply(r corrective_actions, s integer) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    done boolean := r.status = 'done' AND r.completed_at IS NOT NULL;
BEGIN
    IF r.status NOT IN ('done', 'wont_do') THEN
        RETURN;
    END IF;
    INSERT INTO action_rollups AS t (team, owner, priority, status, actions, done_completed, with_due, on_time)
    VALUES (lower(r.team), lower(r.owner), r.priority, r.status, s,
        CASE WHEN done THEN s ELSE 0 END,
        CASE WHEN done AND r.due_date IS NOT NULL THEN s ELSE 0 END,
        CASE WHEN done AND r.due_date >= (r.completed_at AT TIME ZONE 'UTC')::date THEN s ELSE 0 END)
    ON CONFLICT (team, owner, priority, status) DO UPDATE SET actions = t.actions + excluded.actions,
        done_completed = t.done_completed + excluded.done_completed, with_due = t.with_due + excluded.with_due,
        on_time = t.on_time + excluded.on_time;
    INSERT INTO action_service_rollups AS t (service, status, actions)
    SELECT l.value, r.status, s FROM incident_labels l WHERE l.incident_id = r.incident_id AND l.kind = 'service'
    ON CONFLICT (service, status) DO UPDATE SET actions = t.actions + excluded.actions;
    IF done THEN
        INSERT INTO action_close_day_counts AS t (days, actions)
        VALUES (floor(extract(epoch FROM r.completed_at - r.created_at) / 86400)::integer, s)
        ON CONFLICT (days) DO UPDATE SET actions = t.actions + excluded.actions;
    END IF;
END;
$$;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE FUNCTION corrective_actions_rollup() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        PERFORM action_rollup_apply(OLD, -1);
    END IF;
    IF TG_OP IN ('UPDATE', 'INSERT') THEN
        PERFORM action_rollup_apply(NEW, 1);
        RETURN NEW;
    END IF;
    RETURN OLD;
END;
$$;
-- +goose StatementEnd

CREATE TRIGGER corrective_actions_rollup_trigger BEFORE INSERT OR UPDATE OR DELETE ON corrective_actions
    FOR EACH ROW EXECUTE FUNCTION corrective_actions_rollup();

-- +goose StatementBegin
CREATE FUNCTION incident_labels_rollup() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') AND OLD.kind = 'service' THEN
        INSERT INTO action_service_rollups AS t (service, status, actions)
        SELECT OLD.value, a.status, -count(*) FROM corrective_actions a
        WHERE a.incident_id = OLD.incident_id AND a.status IN ('done', 'wont_do') GROUP BY a.status
        ON CONFLICT (service, status) DO UPDATE SET actions = t.actions + excluded.actions;
    END IF;
    IF TG_OP IN ('UPDATE', 'INSERT') THEN
        IF NEW.kind = 'service' THEN
            INSERT INTO action_service_rollups AS t (service, status, actions)
            SELECT NEW.value, a.status, count(*) FROM corrective_actions a
            WHERE a.incident_id = NEW.incident_id AND a.status IN ('done', 'wont_do') GROUP BY a.status
            ON CONFLICT (service, status) DO UPDATE SET actions = t.actions + excluded.actions;
        END IF;
        RETURN NEW;
    END IF;
    RETURN OLD;
END;
$$;
-- +goose StatementEnd

CREATE TRIGGER incident_labels_rollup_trigger BEFORE INSERT OR UPDATE OR DELETE ON incident_labels
    FOR EACH ROW EXECUTE FUNCTION incident_labels_rollup();

-- +goose Down
DROP TRIGGER incident_labels_rollup_trigger ON incident_labels;
DROP FUNCTION incident_labels_rollup();
DROP TRIGGER corrective_actions_rollup_trigger ON corrective_actions;
DROP FUNCTION corrective_actions_rollup();
DROP FUNCTION action_rollup_apply(corrective_actions, integer);
DROP INDEX corrective_actions_open_idx;
DROP TABLE action_close_day_counts;
DROP TABLE action_service_rollups;
DROP TABLE action_rollups;
