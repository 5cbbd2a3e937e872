package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/hindsightrca/hindsight/internal/incident"
)

// The rows of the dashboards' in-memory projection (internal/dashboard):
// every column the SQL of action_metrics.go and incident_metrics.go reads,
// and nothing else (no titles, no text). They are read with plain SQL and
// scanned column by column: gorm's reflection would cost more than the
// reading itself at 300,000 actions.

// DashboardRows returns the dashboard rows of the incidents ids (those that
// no longer exist are left out) and of their actions.
func (s *Store) DashboardRows(ctx context.Context, ids []int64) (incident.DashboardRows, error) {
	var out incident.DashboardRows
	for start := 0; start < len(ids); start += idChunk {
		chunk := ids[start:min(start+idChunk, len(ids))]
		if err := s.dashboardRows(ctx, &out, "IN ?", chunk); err != nil {
			return incident.DashboardRows{}, err
		}
	}
	return out, nil
}

// DashboardRowsAfter returns the dashboard rows of the first limit
// incidents (by id) whose id is above afterID, and of their actions; no
// incidents when there are none left.
func (s *Store) DashboardRowsAfter(ctx context.Context, afterID int64, limit int) (incident.DashboardRows, error) {
	var last int64
	err := s.conn(ctx).Raw("SELECT COALESCE(MAX(id), 0) FROM (SELECT id FROM incidents WHERE id > ? ORDER BY id LIMIT ?) AS page",
		afterID, limit).Scan(&last).Error
	if err != nil {
		return incident.DashboardRows{}, fmt.Errorf("store: dashboard incidents: %w", err)
	}
	var out incident.DashboardRows
	if last == 0 {
		return out, nil
	}
	if err := s.dashboardRows(ctx, &out, "BETWEEN ? AND ?", afterID+1, last); err != nil {
		return incident.DashboardRows{}, err
	}
	return out, nil
}

// dashboardRows appends the rows of the incidents whose id matches cond
// (SQL after the column, with args) to out.
func (s *Store) dashboardRows(ctx context.Context, out *incident.DashboardRows, cond string, args ...any) error {
	first := len(out.Incidents)
	byID := map[int64]int{}
	err := s.scanRows(ctx, "dashboard incidents",
		"SELECT id, severity, visibility, created_at, started_at, detected_at, acknowledged_at, mitigated_at, resolved_at "+
			"FROM incidents WHERE id "+cond+" ORDER BY id", args,
		func(rows *sql.Rows) error {
			var (
				r                                                  incident.DashboardIncident
				sev, vis                                           string
				created                                            dbTime
				started, detected, acknowledged, mitigated, resolv *dbTime
			)
			if err := rows.Scan(&r.ID, &sev, &vis, &created, &started, &detected, &acknowledged, &mitigated, &resolv); err != nil {
				return err
			}
			r.Severity, r.Visibility, r.CreatedAt = incident.Severity(sev), incident.Visibility(vis), time.Time(created)
			r.StartedAt, r.DetectedAt, r.AcknowledgedAt = fromDBPtr(started), fromDBPtr(detected), fromDBPtr(acknowledged)
			r.MitigatedAt, r.ResolvedAt = fromDBPtr(mitigated), fromDBPtr(resolv)
			byID[r.ID] = len(out.Incidents)
			out.Incidents = append(out.Incidents, r)
			return nil
		})
	if err != nil || len(out.Incidents) == first {
		return err
	}
	// of finds the incident a dependent row belongs to (nil: one created
	// after the incidents were read; its change brings it in later).
	of := func(id int64) *incident.DashboardIncident {
		if i, ok := byID[id]; ok {
			return &out.Incidents[i]
		}
		return nil
	}
	err = s.scanRows(ctx, "dashboard labels",
		"SELECT incident_id, kind, value FROM incident_labels WHERE kind IN ('service', 'team') AND incident_id "+cond, args,
		func(rows *sql.Rows) error {
			var (
				id          int64
				kind, value string
			)
			if err := rows.Scan(&id, &kind, &value); err != nil {
				return err
			}
			if inc := of(id); inc != nil {
				if kind == "service" {
					inc.Services = append(inc.Services, value)
				} else {
					inc.Teams = append(inc.Teams, value)
				}
			}
			return nil
		})
	if err == nil {
		err = s.scanRows(ctx, "dashboard principals", "SELECT incident_id, principal FROM incident_principals WHERE incident_id "+cond, args,
			func(rows *sql.Rows) error {
				var (
					id int64
					p  string
				)
				if err := rows.Scan(&id, &p); err != nil {
					return err
				}
				if inc := of(id); inc != nil {
					inc.Principals = append(inc.Principals, p)
				}
				return nil
			})
	}
	if err == nil {
		err = s.scanRows(ctx, "dashboard rcas", "SELECT incident_id, published_at FROM rcas WHERE status = ? AND incident_id "+cond,
			append([]any{string(incident.RCAPublished)}, args...),
			func(rows *sql.Rows) error {
				var (
					id int64
					at *dbTime
				)
				if err := rows.Scan(&id, &at); err != nil {
					return err
				}
				if inc := of(id); inc != nil {
					inc.RCAPublished = true
					if at != nil && (inc.RCAPublishedAt == nil || time.Time(*at).After(*inc.RCAPublishedAt)) {
						inc.RCAPublishedAt = fromDBPtr(at)
					}
				}
				return nil
			})
	}
	if err == nil {
		err = s.scanRows(ctx, "dashboard root causes", "SELECT incident_id, category FROM root_causes WHERE incident_id "+cond, args,
			func(rows *sql.Rows) error {
				var (
					id  int64
					cat string
				)
				if err := rows.Scan(&id, &cat); err != nil {
					return err
				}
				if inc := of(id); inc != nil {
					inc.RootCauseCategories = append(inc.RootCauseCategories, cat)
				}
				return nil
			})
	}
	if err != nil {
		return err
	}
	return s.scanRows(ctx, "dashboard actions",
		"SELECT id, incident_id, status, priority, lower(team), lower(owner), due_date, created_at, completed_at, updated_at "+
			"FROM corrective_actions WHERE incident_id "+cond, args,
		func(rows *sql.Rows) error {
			var (
				a                incident.DashboardAction
				status, prio     string
				due              *dbDate
				created, updated dbTime
				completed        *dbTime
			)
			if err := rows.Scan(&a.ID, &a.IncidentID, &status, &prio, &a.TeamKey, &a.OwnerKey, &due, &created, &completed, &updated); err != nil {
				return err
			}
			if of(a.IncidentID) == nil {
				return nil
			}
			a.Status, a.Priority, a.DueDate = incident.ActionStatus(status), incident.Priority(prio), fromDBDate(due)
			a.CreatedAt, a.CompletedAt, a.UpdatedAt = time.Time(created), fromDBPtr(completed), time.Time(updated)
			out.Actions = append(out.Actions, a)
			return nil
		})
}

// scanRows runs the query and hands each row to scan; what names the rows
// in errors.
func (s *Store) scanRows(ctx context.Context, what, query string, args []any, scan func(*sql.Rows) error) error {
	rows, err := s.conn(ctx).Raw(query, args...).Rows()
	if err != nil {
		return fmt.Errorf("store: %s: %w", what, err)
	}
	defer rows.Close()
	for rows.Next() {
		if err := scan(rows); err != nil {
			return fmt.Errorf("store: %s: %w", what, err)
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("store: %s: %w", what, err)
	}
	return nil
}

// LowerKey is v folded as the database's lower() folds a team or owner
// (the dashboards group and filter them so).
func (s *Store) LowerKey(ctx context.Context, v string) (string, error) {
	var out string
	if err := s.conn(ctx).Raw("SELECT lower(?)", v).Scan(&out).Error; err != nil {
		return "", fmt.Errorf("store: lower: %w", err)
	}
	return out, nil
}

// ActionsByID returns those of the actions ids that exist and that v may
// see (their incident's visibility, read in the same statement), by id.
func (s *Store) ActionsByID(ctx context.Context, ids []int64, v incident.Viewer) (map[int64]incident.CorrectiveAction, error) {
	out := make(map[int64]incident.CorrectiveAction, len(ids))
	for start := 0; start < len(ids); start += idChunk {
		var recs []actionRecord
		q := onlyVisibleRef(s.conn(ctx).Model(&actionRecord{}), "corrective_actions.incident_id", v)
		if err := q.Where("corrective_actions.id IN ?", ids[start:min(start+idChunk, len(ids))]).Find(&recs).Error; err != nil {
			return nil, fmt.Errorf("store: actions by id: %w", err)
		}
		for _, r := range recs {
			out[r.ID] = r.domain()
		}
	}
	return out, nil
}

// IncidentsByID returns those of the incidents ids that exist and that v
// may see (checked in the same statement: one restricted since the caller
// picked it is left out), by id.
func (s *Store) IncidentsByID(ctx context.Context, ids []int64, v incident.Viewer) (map[int64]incident.Incident, error) {
	out := make(map[int64]incident.Incident, len(ids))
	for start := 0; start < len(ids); start += idChunk {
		var recs []incidentRecord
		q := onlyVisible(s.conn(ctx).Model(&incidentRecord{}), "incidents", v)
		if err := q.Where("incidents.id IN ?", ids[start:min(start+idChunk, len(ids))]).Find(&recs).Error; err != nil {
			return nil, fmt.Errorf("store: incidents by id: %w", err)
		}
		for _, r := range recs {
			out[r.ID] = r.domain()
		}
	}
	return out, nil
}

// RecurrenceFlags returns every recurrence warning: the incident, the
// past incident it looks like and whether it was dismissed. The table holds
// one row per warning (a few per hundred incidents); the dashboards apply
// the viewer and their filters to it.
func (s *Store) RecurrenceFlags(ctx context.Context) ([]incident.RecurrenceFlag, error) {
	var out []incident.RecurrenceFlag
	err := s.scanRows(ctx, "recurrence flags",
		"SELECT incident_id, past_incident_id, CASE WHEN dismissed_at IS NULL THEN 0 ELSE 1 END FROM recurrences", nil,
		func(rows *sql.Rows) error {
			var (
				f         incident.RecurrenceFlag
				dismissed int
			)
			if err := rows.Scan(&f.IncidentID, &f.PastIncidentID, &dismissed); err != nil {
				return err
			}
			f.Dismissed = dismissed != 0
			out = append(out, f)
			return nil
		})
	return out, err
}
