package store

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/hindsightrca/hindsight/internal/incident"
)

// Bundle is everything about one incident the search index holds.
type Bundle struct {
	Incident   incident.Incident
	RCA        *incident.RCA // nil when the incident has none
	RootCauses []incident.RootCause
	Actions    []incident.CorrectiveAction
	// Events are the visible timeline events, in time order.
	Events []incident.TimelineEvent
}

// LastChangeSeq is the newest change's sequence number (0 for none).
func (s *Store) LastChangeSeq(ctx context.Context) (int64, error) {
	var seq int64
	if err := s.conn(ctx).Raw("SELECT COALESCE(MAX(seq), 0) FROM changes").Scan(&seq).Error; err != nil {
		return 0, fmt.Errorf("store: last change: %w", err)
	}
	return seq, nil
}

// IncidentIDsAfter returns up to limit incident ids above after, ascending.
func (s *Store) IncidentIDsAfter(ctx context.Context, after int64, limit int) ([]int64, error) {
	var ids []int64
	if err := s.conn(ctx).Model(&incidentRecord{}).Where("id > ?", after).Order("id").Limit(limit).Pluck("id", &ids).Error; err != nil {
		return nil, fmt.Errorf("store: incident ids: %w", err)
	}
	return ids, nil
}

// CountIncidents counts every incident.
func (s *Store) CountIncidents(ctx context.Context) (int64, error) {
	var n int64
	if err := s.conn(ctx).Model(&incidentRecord{}).Count(&n).Error; err != nil {
		return 0, fmt.Errorf("store: count incidents: %w", err)
	}
	return n, nil
}

// Bundles loads the incidents ids name with their RCA, root causes,
// actions and visible events, in a few set-based queries. An id with no
// incident is left out.
func (s *Store) Bundles(ctx context.Context, ids []int64) (map[int64]*Bundle, error) {
	out := make(map[int64]*Bundle, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	db := s.conn(ctx)
	var incs []incidentRecord
	if err := db.Where("id IN ?", ids).Find(&incs).Error; err != nil {
		return nil, fmt.Errorf("store: bundles: incidents: %w", err)
	}
	for _, r := range incs {
		out[r.ID] = &Bundle{Incident: r.domain()}
	}
	if len(out) == 0 {
		return out, nil
	}
	var rcas []rcaRecord
	if err := db.Where("incident_id IN ?", ids).Find(&rcas).Error; err != nil {
		return nil, fmt.Errorf("store: bundles: rcas: %w", err)
	}
	if len(rcas) > 0 {
		rcaIDs := make([]int64, len(rcas))
		for i, r := range rcas {
			rcaIDs[i] = r.ID
		}
		var secs []rcaSectionRecord
		if err := db.Where("rca_id IN ?", rcaIDs).Order("rca_id, position").Find(&secs).Error; err != nil {
			return nil, fmt.Errorf("store: bundles: sections: %w", err)
		}
		byRCA := map[int64][]rcaSectionRecord{}
		for _, sec := range secs {
			byRCA[sec.RCAID] = append(byRCA[sec.RCAID], sec)
		}
		for _, r := range rcas {
			if b := out[r.IncidentID]; b != nil {
				rca := r.domain(byRCA[r.ID])
				b.RCA = &rca
			}
		}
	}
	var rcs []rootCauseRecord
	if err := db.Where("incident_id IN ?", ids).Order("incident_id, id").Find(&rcs).Error; err != nil {
		return nil, fmt.Errorf("store: bundles: root causes: %w", err)
	}
	for _, r := range rcs {
		if b := out[r.IncidentID]; b != nil {
			b.RootCauses = append(b.RootCauses, r.domain(nil))
		}
	}
	var acts []actionRecord
	if err := db.Where("incident_id IN ?", ids).Order("incident_id, id").Find(&acts).Error; err != nil {
		return nil, fmt.Errorf("store: bundles: actions: %w", err)
	}
	for _, r := range acts {
		if b := out[r.IncidentID]; b != nil {
			b.Actions = append(b.Actions, r.domain())
		}
	}
	// Only what search needs of the events: the full rows carry metadata.
	var evs []struct {
		ID         int64  `gorm:"column:id"`
		IncidentID int64  `gorm:"column:incident_id"`
		OccurredAt dbTime `gorm:"column:occurred_at"`
		Source     string `gorm:"column:source"`
		Kind       string `gorm:"column:kind"`
		Actor      string `gorm:"column:actor"`
		Body       string `gorm:"column:body"`
	}
	if err := db.Model(&timelineEventRecord{}).Select("id, incident_id, occurred_at, source, kind, actor, body").
		Where("incident_id IN ? AND hidden = ?", ids, false).Order("incident_id, occurred_at, id").
		Find(&evs).Error; err != nil {
		return nil, fmt.Errorf("store: bundles: events: %w", err)
	}
	for _, e := range evs {
		if b := out[e.IncidentID]; b != nil {
			b.Events = append(b.Events, incident.TimelineEvent{ID: e.ID, IncidentID: e.IncidentID,
				OccurredAt: time.Time(e.OccurredAt), Source: e.Source, Kind: incident.EventKind(e.Kind),
				Actor: e.Actor, Body: e.Body})
		}
	}
	return out, nil
}

// ListenChanges wakes the returned channel soon after a commit added
// changes (PostgreSQL's NOTIFY on hindsight_changes, from the trigger on
// changes), reconnecting after errors until ctx ends, when the channel is
// closed. On SQLite it returns an error: there is nothing to listen to.
func (s *Store) ListenChanges(ctx context.Context) (<-chan struct{}, error) {
	if s.dialect != DialectPostgres || s.dsn == "" {
		return nil, fmt.Errorf("store: change notifications need PostgreSQL")
	}
	conn, err := listen(ctx, s.dsn)
	if err != nil {
		return nil, err
	}
	ch := make(chan struct{}, 1)
	go func() {
		defer close(ch)
		backoff := 200 * time.Millisecond
		for {
			if conn == nil {
				select {
				case <-ctx.Done():
					return
				case <-time.After(backoff):
				}
				if conn, err = listen(ctx, s.dsn); err != nil {
					s.log.Warn("Change notifications: cannot reconnect", "error", err)
					backoff = min(backoff*2, 10*time.Second)
					continue
				}
				backoff = 200 * time.Millisecond
				wake(ch) // changes may have come while disconnected
			}
			if _, err := conn.WaitForNotification(ctx); err != nil {
				conn.Close(context.Background())
				conn = nil
				if ctx.Err() != nil {
					return
				}
				s.log.Warn("Change notifications: connection lost; reconnecting", "error", err)
				continue
			}
			wake(ch)
		}
	}()
	return ch, nil
}

// listen opens a connection that listens to hindsight_changes.
func listen(ctx context.Context, dsn string) (*pgx.Conn, error) {
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		return nil, fmt.Errorf("store: listen: %w", err)
	}
	if _, err := conn.Exec(ctx, "LISTEN hindsight_changes"); err != nil {
		conn.Close(context.Background())
		return nil, fmt.Errorf("store: listen: %w", err)
	}
	return conn, nil
}

// wake sends on ch unless a wake-up is already pending.
func wake(ch chan struct{}) {
	select {
	case ch <- struct{}{}:
	default:
	}
}

// ActionStatusCounts counts the corrective actions of each incident by
// status; incidents v may not see have none.
func (s *Store) ActionStatusCounts(ctx context.Context, incidentIDs []int64, v incident.Viewer) (map[int64]map[incident.ActionStatus]int, error) {
	out := make(map[int64]map[incident.ActionStatus]int, len(incidentIDs))
	if len(incidentIDs) == 0 {
		return out, nil
	}
	var rows []struct {
		IncidentID int64  `gorm:"column:incident_id"`
		Status     string `gorm:"column:status"`
		N          int    `gorm:"column:n"`
	}
	q := onlyVisibleRef(s.conn(ctx).Model(&actionRecord{}), "corrective_actions.incident_id", v)
	if err := q.Select("incident_id, status, COUNT(*) AS n").
		Where("incident_id IN ?", incidentIDs).Group("incident_id, status").Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("store: action counts: %w", err)
	}
	for _, r := range rows {
		m := out[r.IncidentID]
		if m == nil {
			m = map[incident.ActionStatus]int{}
			out[r.IncidentID] = m
		}
		m[incident.ActionStatus(r.Status)] += r.N
	}
	return out, nil
}
