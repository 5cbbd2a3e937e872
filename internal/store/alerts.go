package store

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/hindsightrca/hindsight/internal/incident"
)

// alertRecord is a row of alerts.
type alertRecord struct {
	ID             int64      `gorm:"column:id;primaryKey"`
	HookID         *int64     `gorm:"column:hook_id"`
	Source         string     `gorm:"column:source"`
	ExternalID     string     `gorm:"column:external_id"`
	ThreadID       string     `gorm:"column:thread_id"`
	OccurredAt     dbTime     `gorm:"column:occurred_at"`
	OccurredAtText string     `gorm:"column:occurred_at_text"`
	Actor          string     `gorm:"column:actor"`
	Body           string     `gorm:"column:body"`
	Link           string     `gorm:"column:link"`
	Metadata       jsonObject `gorm:"column:metadata"`
	Service        string     `gorm:"column:service"`
	Severity       string     `gorm:"column:severity"`
	Subtype        string     `gorm:"column:subtype"`
	ReceivedAt     dbTime     `gorm:"column:received_at"`
	IncidentID     *int64     `gorm:"column:incident_id"`
	EventID        *int64     `gorm:"column:event_id"`
	RoutedBy       string     `gorm:"column:routed_by"`
	RoutedAt       *dbTime    `gorm:"column:routed_at"`
	DismissedAt    *dbTime    `gorm:"column:dismissed_at"`
	DismissedBy    string     `gorm:"column:dismissed_by"`
}

func (alertRecord) TableName() string { return "alerts" }

func (r alertRecord) domain() incident.Alert {
	md := map[string]any(r.Metadata)
	if md == nil {
		md = map[string]any{}
	}
	return incident.Alert{
		ID: r.ID, HookID: r.HookID,
		Event: incident.TimelineEvent{
			OccurredAt: time.Time(r.OccurredAt), OccurredAtText: r.OccurredAtText, Source: r.Source,
			Kind: incident.KindAlert, Actor: r.Actor, Body: r.Body, Link: r.Link, ExternalID: r.ExternalID,
			ThreadID: r.ThreadID, Metadata: md,
		},
		Service: r.Service, Severity: r.Severity, Subtype: r.Subtype, ReceivedAt: time.Time(r.ReceivedAt),
		IncidentID: r.IncidentID, EventID: r.EventID, RoutedBy: r.RoutedBy, RoutedAt: fromDBPtr(r.RoutedAt),
		DismissedAt: fromDBPtr(r.DismissedAt), DismissedBy: r.DismissedBy,
	}
}

// Alert returns the alert with id.
func (s *Store) Alert(ctx context.Context, id int64) (incident.Alert, error) {
	var rec alertRecord
	if err := s.conn(ctx).Where("id = ?", id).Take(&rec).Error; err != nil {
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return incident.Alert{}, incident.NotFound("alert", ref(id))
		}
		return incident.Alert{}, fmt.Errorf("store: read alert: %w", err)
	}
	out := []incident.Alert{rec.domain()}
	if err := s.fillAlertKeys(ctx, out); err != nil {
		return incident.Alert{}, err
	}
	return out[0], nil
}

// InboxThread lists the alerts of the thread (source, threadID) that wait
// in the inbox (not routed, dismissed or not), oldest first. On
// PostgreSQL the rows are locked until the transaction ends, so a
// concurrent attach or ingest of the same alert waits and then sees what
// this one did.
func (s *Store) InboxThread(ctx context.Context, source, threadID string) ([]incident.Alert, error) {
	var recs []alertRecord
	err := s.forUpdate(s.conn(ctx)).Where("source = ? AND thread_id = ? AND incident_id IS NULL", source, threadID).
		Order("occurred_at, id").Find(&recs).Error
	if err != nil {
		return nil, fmt.Errorf("store: read alert thread: %w", err)
	}
	out := make([]incident.Alert, len(recs))
	for i, r := range recs {
		out[i] = r.domain()
	}
	return out, nil
}

// OpenIncidentForService returns the open or mitigated incident with the
// service (case-folded) that started at or before notAfter (or has no
// start yet), the most recently started first; ok is false when none.
func (s *Store) OpenIncidentForService(ctx context.Context, service string, notAfter time.Time) (int64, bool, error) {
	var ids []int64
	err := s.conn(ctx).Raw(`SELECT i.id FROM incidents i
 JOIN incident_labels l ON l.incident_id = i.id AND l.kind = 'service' AND l.value = ?
 WHERE i.status IN ('open', 'mitigated') AND (i.started_at IS NULL OR i.started_at <= ?)
 ORDER BY CASE WHEN i.started_at IS NULL THEN 1 ELSE 0 END, i.started_at DESC, i.id DESC LIMIT 1`,
		labelKey(service), toDB(notAfter)).Scan(&ids).Error
	if err != nil {
		return 0, false, fmt.Errorf("store: find incident for service: %w", err)
	}
	if len(ids) == 0 {
		return 0, false, nil
	}
	return ids[0], true, nil
}

// RouteAlert records that inbox alert id went to incident incidentID as
// event eventID (nil when the timeline already held that event). An alert
// routed meanwhile by someone else is a conflict: the transaction must
// roll back rather than leave its events in two incidents.
func (s *Store) RouteAlert(ctx context.Context, id, incidentID int64, eventID *int64, routedBy string, at time.Time) error {
	res := s.conn(ctx).Model(&alertRecord{}).Where("id = ? AND incident_id IS NULL", id).Updates(map[string]any{
		"incident_id": incidentID, "event_id": eventID, "routed_by": routedBy, "routed_at": toDB(at),
		"dismissed_at": nil, "dismissed_by": "",
	})
	if res.Error != nil {
		return fmt.Errorf("store: route alert: %w", res.Error)
	}
	if res.RowsAffected == 0 {
		return &incident.ConflictError{Object: "alert " + ref(id)}
	}
	return nil
}

// Alerts lists alerts matching f, newest first (by id), and how many match.
func (s *Store) Alerts(ctx context.Context, f incident.AlertFilter) ([]incident.Alert, int, error) {
	q := func() *gorm.DB {
		q := onlyVisibleRef(s.conn(ctx).Model(&alertRecord{}), "alerts.incident_id", f.Viewer)
		switch f.State {
		case incident.AlertInbox:
			q = q.Where("incident_id IS NULL AND dismissed_at IS NULL")
		case incident.AlertRouted:
			q = q.Where("incident_id IS NOT NULL")
		case incident.AlertDismissed:
			q = q.Where("incident_id IS NULL AND dismissed_at IS NOT NULL")
		}
		if f.Source != "" {
			q = q.Where("source = ?", f.Source)
		}
		if f.Service != "" {
			q = q.Where("service = ?", labelKey(f.Service))
		}
		if f.IncidentID != 0 {
			q = q.Where("incident_id = ?", f.IncidentID)
		}
		return q
	}
	var total int64
	if err := q().Count(&total).Error; err != nil {
		return nil, 0, fmt.Errorf("store: count alerts: %w", err)
	}
	lq := q()
	if f.Cursor != nil {
		lq = lq.Where("id < ?", f.Cursor.ID)
	}
	var recs []alertRecord
	if err := lq.Order("id DESC").Limit(pageLimit(f.Limit)).Find(&recs).Error; err != nil {
		return nil, 0, fmt.Errorf("store: list alerts: %w", err)
	}
	out := make([]incident.Alert, len(recs))
	for i, r := range recs {
		out[i] = r.domain()
	}
	if err := s.fillAlertKeys(ctx, out); err != nil {
		return nil, 0, err
	}
	return out, int(total), nil
}

// AlertCursor is the page position after a.
func AlertCursor(a incident.Alert) incident.Cursor { return incident.Cursor{ID: a.ID} }

// fillAlertKeys sets IncidentKey on routed alerts.
func (s *Store) fillAlertKeys(ctx context.Context, alerts []incident.Alert) error {
	var ids []int64
	for _, a := range alerts {
		if a.IncidentID != nil {
			ids = append(ids, *a.IncidentID)
		}
	}
	if len(ids) == 0 {
		return nil
	}
	var rows []struct {
		ID  int64
		Key string
	}
	if err := s.conn(ctx).Table("incidents").Select("id, key").Where("id IN ?", ids).Scan(&rows).Error; err != nil {
		return fmt.Errorf("store: read incident keys: %w", err)
	}
	keys := make(map[int64]string, len(rows))
	for _, r := range rows {
		keys[r.ID] = r.Key
	}
	for i, a := range alerts {
		if a.IncidentID != nil {
			alerts[i].IncidentKey = keys[*a.IncidentID]
		}
	}
	return nil
}

// alertInsertChunk bounds the rows of one multi-row alert insert (16
// parameters each, well under SQLite's and PostgreSQL's limits).
const alertInsertChunk = 500

// InsertAlerts stores delivered alerts with one statement per chunk and
// sets the ID of each one stored; alerts whose source and external id are
// already kept (repeated deliveries, or twice in als) keep ID 0.
func (s *Store) InsertAlerts(ctx context.Context, als []*incident.Alert) error {
	// One key order for every insert, so two transactions inserting the
	// same alerts wait for each other instead of deadlocking.
	als = slices.Clone(als)
	slices.SortFunc(als, func(x, y *incident.Alert) int {
		if c := strings.Compare(x.Event.Source, y.Event.Source); c != 0 {
			return c
		}
		return strings.Compare(x.Event.ExternalID, y.Event.ExternalID)
	})
	for start := 0; start < len(als); start += alertInsertChunk {
		chunk := als[start:min(start+alertInsertChunk, len(als))]
		var sb strings.Builder
		sb.WriteString(`INSERT INTO alerts (hook_id, source, external_id, thread_id, occurred_at, occurred_at_text,
 actor, body, link, metadata, service, severity, subtype, received_at, dismissed_at, dismissed_by) VALUES `)
		args := make([]any, 0, len(chunk)*16)
		for i, a := range chunk {
			if i > 0 {
				sb.WriteString(", ")
			}
			sb.WriteString("(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
			e := a.Event
			meta, err := jsonObject(e.Metadata).Value()
			if err != nil {
				return fmt.Errorf("store: insert alerts: %w", err)
			}
			args = append(args, a.HookID, e.Source, e.ExternalID, e.ThreadID, toDB(e.OccurredAt), e.OccurredAtText,
				e.Actor, e.Body, e.Link, meta, a.Service, a.Severity, a.Subtype, toDB(a.ReceivedAt),
				toDBPtr(a.DismissedAt), a.DismissedBy)
		}
		sb.WriteString(" ON CONFLICT (source, external_id) DO NOTHING RETURNING id, source, external_id")
		var rows []struct {
			ID         int64
			Source     string
			ExternalID string
		}
		if err := s.conn(ctx).Raw(sb.String(), args...).Scan(&rows).Error; err != nil {
			return fmt.Errorf("store: insert alerts: %w", s.translate(err))
		}
		ids := make(map[string]int64, len(rows))
		for _, r := range rows {
			ids[r.Source+"\x00"+r.ExternalID] = r.ID
		}
		for _, a := range chunk {
			k := a.Event.Source + "\x00" + a.Event.ExternalID
			a.ID = ids[k]
			delete(ids, k) // a second copy in the same chunk is a duplicate
		}
	}
	return nil
}

// ThreadKey names an alert thread: its source and thread id.
type ThreadKey struct{ Source, ThreadID string }

// AlertThreadHeads returns the latest stored alert of each thread.
func (s *Store) AlertThreadHeads(ctx context.Context, threads []ThreadKey) (map[ThreadKey]incident.Alert, error) {
	out := map[ThreadKey]incident.Alert{}
	for start := 0; start < len(threads); start += alertInsertChunk {
		chunk := threads[start:min(start+alertInsertChunk, len(threads))]
		var sb strings.Builder
		// ORs of equalities rather than a row-value IN list: SQLite plans
		// the ORs as index lookups, but scans the table for the IN list.
		sb.WriteString("SELECT * FROM alerts WHERE id IN (SELECT MAX(id) FROM alerts WHERE ")
		args := make([]any, 0, 2*len(chunk))
		for i, t := range chunk {
			if i > 0 {
				sb.WriteString(" OR ")
			}
			sb.WriteString("(source = ? AND thread_id = ?)")
			args = append(args, t.Source, t.ThreadID)
		}
		sb.WriteString(" GROUP BY source, thread_id)")
		if s.dialect == DialectPostgres {
			// Locked, as InboxThread: an attach of the same alert that is
			// under way finishes first, and its routing is seen.
			sb.WriteString(" FOR UPDATE")
		}
		var recs []alertRecord
		if err := s.conn(ctx).Raw(sb.String(), args...).Scan(&recs).Error; err != nil {
			return nil, fmt.Errorf("store: read alert threads: %w", err)
		}
		for _, r := range recs {
			out[ThreadKey{r.Source, r.ThreadID}] = r.domain()
		}
	}
	return out, nil
}

// forUpdate locks the rows a query reads on PostgreSQL (SQLite's writers
// are serialized already).
func (s *Store) forUpdate(q *gorm.DB) *gorm.DB {
	if s.dialect == DialectPostgres {
		return q.Clauses(clause.Locking{Strength: "UPDATE"})
	}
	return q
}

// RouteAlerts records that the alerts ids went to incident incidentID,
// linking each to its timeline event (same source and external id). An
// alert routed meanwhile by someone else is a conflict.
func (s *Store) RouteAlerts(ctx context.Context, ids []int64, incidentID int64, routedBy string, at time.Time) error {
	for start := 0; start < len(ids); start += alertInsertChunk {
		chunk := ids[start:min(start+alertInsertChunk, len(ids))]
		res := s.conn(ctx).Exec(`UPDATE alerts SET incident_id = ?, routed_by = ?, routed_at = ?, dismissed_at = NULL, dismissed_by = '',
 event_id = (SELECT t.id FROM timeline_events t WHERE t.incident_id = ? AND t.source = alerts.source AND t.external_id = alerts.external_id)
 WHERE id IN ? AND incident_id IS NULL`, incidentID, routedBy, toDB(at), incidentID, chunk)
		if res.Error != nil {
			return fmt.Errorf("store: route alerts: %w", res.Error)
		}
		if res.RowsAffected != int64(len(chunk)) {
			return &incident.ConflictError{Object: "alerts routed meanwhile"}
		}
	}
	return nil
}

// DismissAlertIDs puts inbox alerts aside.
func (s *Store) DismissAlertIDs(ctx context.Context, ids []int64, by string, at time.Time) error {
	for start := 0; start < len(ids); start += alertInsertChunk {
		chunk := ids[start:min(start+alertInsertChunk, len(ids))]
		err := s.conn(ctx).Model(&alertRecord{}).Where("id IN ? AND incident_id IS NULL", chunk).
			Updates(map[string]any{"dismissed_at": toDB(at), "dismissed_by": by}).Error
		if err != nil {
			return fmt.Errorf("store: dismiss alerts: %w", err)
		}
	}
	return nil
}
