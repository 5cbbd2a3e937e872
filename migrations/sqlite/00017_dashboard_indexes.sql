-- Indexes for the dashboards (GET /metrics/actions and /metrics/incidents)
-- at 100k incidents and 300k actions. Each lets one dashboard query read an
-- index in the order it groups by instead of sorting the table:
--   - the counts by team, owner, priority and status (with the columns the
--     filters, the overdue rule and the completion counts read, so the
--     table is not visited);
--   - the actions of an incident by status (the by-service breakdown walks
--     the service labels and looks their actions up here); it replaces the
--     plain incident_id index, which is its prefix;
--   - the actions closed as done by completion time (completion figures);
--   - created and closed time (the burn-down; the closed expression is the
--     store's closedAtExpr, written identically);
--   - the actions closed as done by days to close, so the nearest-rank
--     percentiles read the index up to their rank instead of sorting (the
--     expression is the store's daysToCloseExpr, written identically);
--   - root causes by category, incidents by resolution time.

-- +goose Up
CREATE INDEX corrective_actions_dashboard_idx ON corrective_actions
    (lower(team), lower(owner), priority, status, due_date, created_at, incident_id, completed_at);
DROP INDEX corrective_actions_incident_id_idx;
CREATE INDEX corrective_actions_incident_status_idx ON corrective_actions (incident_id, status, due_date, created_at);
CREATE INDEX corrective_actions_completed_idx ON corrective_actions (status, completed_at, created_at, due_date);
CREATE INDEX corrective_actions_created_at_idx ON corrective_actions (created_at);
CREATE INDEX corrective_actions_closed_at_idx ON corrective_actions
    ((CASE WHEN status IN ('done', 'wont_do') THEN COALESCE(completed_at, updated_at) END), created_at);
CREATE INDEX corrective_actions_days_to_close_idx ON corrective_actions
    ((julianday(completed_at) - julianday(created_at)), completed_at, created_at, incident_id) WHERE status = 'done';
CREATE INDEX root_causes_category_incident_idx ON root_causes (category, incident_id);
DROP INDEX root_causes_category_idx;
CREATE INDEX incidents_resolved_at_idx ON incidents (resolved_at, id);

-- +goose Down
DROP INDEX incidents_resolved_at_idx;
CREATE INDEX root_causes_category_idx ON root_causes (category);
DROP INDEX root_causes_category_incident_idx;
DROP INDEX corrective_actions_days_to_close_idx;
DROP INDEX corrective_actions_closed_at_idx;
DROP INDEX corrective_actions_created_at_idx;
DROP INDEX corrective_actions_completed_idx;
DROP INDEX corrective_actions_incident_status_idx;
CREATE INDEX corrective_actions_incident_id_idx ON corrective_actions (incident_id);
DROP INDEX corrective_actions_dashboard_idx;
