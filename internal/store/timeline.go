package store

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/hindsightrca/hindsight/internal/incident"
)

// timelineEventRecord is a row of timeline_events.
type timelineEventRecord struct {
	ID                 int64      `gorm:"column:id;primaryKey"`
	IncidentID         int64      `gorm:"column:incident_id"`
	OccurredAt         dbTime     `gorm:"column:occurred_at"`
	OriginalOccurredAt *dbTime    `gorm:"column:original_occurred_at"`
	OccurredAtText     string     `gorm:"column:occurred_at_text"`
	Source             string     `gorm:"column:source"`
	Kind               string     `gorm:"column:kind"`
	Actor              string     `gorm:"column:actor"`
	Body               string     `gorm:"column:body"`
	Link               string     `gorm:"column:link"`
	ExternalID         *string    `gorm:"column:external_id"` // NULL when empty: never a duplicate
	ThreadID           string     `gorm:"column:thread_id"`
	ParentID           string     `gorm:"column:parent_id"`
	Metadata           jsonObject `gorm:"column:metadata"`
	KeyEvent           bool       `gorm:"column:key_event"`
	Hidden             bool       `gorm:"column:hidden"`
	ImportBatchID      *int64     `gorm:"column:import_batch_id"`
	CorrectedBy        string     `gorm:"column:corrected_by"`
	CorrectedAt        *dbTime    `gorm:"column:corrected_at"`
	CorrectionReason   *string    `gorm:"column:correction_reason"` // NULL when none
	Version            int        `gorm:"column:version"`
	CreatedAt          dbTime     `gorm:"column:created_at;autoCreateTime:false"`
	UpdatedAt          dbTime     `gorm:"column:updated_at;autoUpdateTime:false"`
}

func (timelineEventRecord) TableName() string { return "timeline_events" }

func toEventRecord(e incident.TimelineEvent) timelineEventRecord {
	r := timelineEventRecord{
		ID: e.ID, IncidentID: e.IncidentID,
		OccurredAt: toDB(e.OccurredAt), OriginalOccurredAt: toDBPtr(e.OriginalOccurredAt),
		OccurredAtText: e.OccurredAtText, Source: e.Source, Kind: string(e.Kind),
		Actor: e.Actor, Body: e.Body, Link: e.Link,
		ThreadID: e.ThreadID, ParentID: e.ParentID, Metadata: e.Metadata,
		KeyEvent: e.KeyEvent, Hidden: e.Hidden, ImportBatchID: e.ImportBatchID,
		CorrectedBy: e.CorrectedBy, CorrectedAt: toDBPtr(e.CorrectedAt),
		Version: e.Version, CreatedAt: toDB(e.CreatedAt), UpdatedAt: toDB(e.UpdatedAt),
	}
	if e.CorrectionReason != "" {
		x := e.CorrectionReason
		r.CorrectionReason = &x
	}
	if e.ExternalID != "" {
		x := e.ExternalID
		r.ExternalID = &x
	}
	return r
}

func (r timelineEventRecord) domain() incident.TimelineEvent {
	e := incident.TimelineEvent{
		ID: r.ID, IncidentID: r.IncidentID,
		OccurredAt: time.Time(r.OccurredAt), OriginalOccurredAt: fromDBPtr(r.OriginalOccurredAt),
		OccurredAtText: r.OccurredAtText, Source: r.Source, Kind: incident.EventKind(r.Kind),
		Actor: r.Actor, Body: r.Body, Link: r.Link,
		ThreadID: r.ThreadID, ParentID: r.ParentID, Metadata: r.Metadata,
		KeyEvent: r.KeyEvent, Hidden: r.Hidden, ImportBatchID: r.ImportBatchID,
		CorrectedBy: r.CorrectedBy, CorrectedAt: fromDBPtr(r.CorrectedAt),
		Version: r.Version, CreatedAt: time.Time(r.CreatedAt), UpdatedAt: time.Time(r.UpdatedAt),
	}
	if r.ExternalID != nil {
		e.ExternalID = *r.ExternalID
	}
	if r.CorrectionReason != nil {
		e.CorrectionReason = *r.CorrectionReason
	}
	if e.Metadata == nil {
		e.Metadata = map[string]any{}
	}
	return e
}

// eventColumns maps each column UpdateTimelineEvent may set to its value.
var eventColumns = map[string]func(r *timelineEventRecord) any{
	"key_event":            func(r *timelineEventRecord) any { return r.KeyEvent },
	"hidden":               func(r *timelineEventRecord) any { return r.Hidden },
	"occurred_at":          func(r *timelineEventRecord) any { return r.OccurredAt },
	"original_occurred_at": func(r *timelineEventRecord) any { return r.OriginalOccurredAt },
	"body":                 func(r *timelineEventRecord) any { return r.Body },
	"actor":                func(r *timelineEventRecord) any { return r.Actor },
	"kind":                 func(r *timelineEventRecord) any { return r.Kind },
	"corrected_by":         func(r *timelineEventRecord) any { return r.CorrectedBy },
	"corrected_at":         func(r *timelineEventRecord) any { return r.CorrectedAt },
	"correction_reason":    func(r *timelineEventRecord) any { return r.CorrectionReason },
}

// TimelineEvent returns the event with that id.
func (s *Store) TimelineEvent(ctx context.Context, id int64) (incident.TimelineEvent, error) {
	var rec timelineEventRecord
	res := s.conn(ctx).Where("id = ?", id).Limit(1).Find(&rec)
	if res.Error != nil {
		return incident.TimelineEvent{}, fmt.Errorf("store: timeline event: %w", res.Error)
	}
	if res.RowsAffected == 0 {
		return incident.TimelineEvent{}, incident.NotFound("timeline_event", ref(id))
	}
	return rec.domain(), nil
}

// TimelineEvents returns one page of an incident's events in time order
// (then id), up to f.Limit+1 of them, and how many match f in all. Hidden
// events are left out unless f.IncludeHidden. Continue after EventCursor of
// the last event kept.
func (s *Store) TimelineEvents(ctx context.Context, f incident.TimelineFilter) ([]incident.TimelineEvent, int, error) {
	var total int64
	if err := s.timelineQuery(ctx, f).Count(&total).Error; err != nil {
		return nil, 0, fmt.Errorf("store: count timeline events: %w", err)
	}
	q := s.timelineQuery(ctx, f)
	if f.Cursor != nil {
		v, err := cursorTime(f.Cursor.Value)
		if err != nil {
			return nil, 0, err
		}
		q = q.Where(keyset("occurred_at", "id", ">"), v, v, f.Cursor.ID)
	}
	var recs []timelineEventRecord
	if err := q.Order("occurred_at ASC, id ASC").Limit(pageLimit(f.Limit)).Find(&recs).Error; err != nil {
		return nil, 0, fmt.Errorf("store: list timeline events: %w", err)
	}
	out := make([]incident.TimelineEvent, len(recs))
	for i, r := range recs {
		out[i] = r.domain()
	}
	return out, int(total), nil
}

func (s *Store) timelineQuery(ctx context.Context, f incident.TimelineFilter) *gorm.DB {
	q := s.conn(ctx).Model(&timelineEventRecord{}).Where("incident_id = ?", f.IncidentID)
	if len(f.Sources) > 0 {
		src := make([]string, len(f.Sources))
		for i, v := range f.Sources {
			src[i] = strings.ToLower(strings.TrimSpace(v))
		}
		q = q.Where("source IN ?", src)
	}
	if len(f.Kinds) > 0 {
		q = q.Where("kind IN ?", strs(f.Kinds))
	}
	if a := strings.TrimSpace(f.Actor); a != "" {
		q = q.Where("lower(actor) = lower(?)", a)
	}
	if f.KeyOnly {
		q = q.Where("key_event = ?", true)
	}
	if !f.IncludeHidden {
		q = q.Where("hidden = ?", false)
	}
	if f.After != nil {
		q = q.Where("occurred_at >= ?", toDB(*f.After))
	}
	if f.Before != nil {
		q = q.Where("occurred_at < ?", toDB(*f.Before))
	}
	return q
}

// EventCursor returns the position of e in its timeline.
func EventCursor(e incident.TimelineEvent) incident.Cursor {
	return incident.Cursor{Value: e.OccurredAt.UTC().Format(time.RFC3339Nano), ID: e.ID}
}

// UpdateTimelineEvent writes the named columns of ev (among key_event,
// hidden, occurred_at, original_occurred_at, body, actor, kind, corrected_by,
// corrected_at, correction_reason) if the stored version is still expectedVersion. A stale
// version gives a *incident.ConflictError with the stored event as Current.
func (s *Store) UpdateTimelineEvent(ctx context.Context, ev incident.TimelineEvent, expectedVersion int, columns []string) (incident.TimelineEvent, error) {
	if err := checkColumnFuncs("timeline_event", columns, eventColumns); err != nil {
		return incident.TimelineEvent{}, err
	}
	rec := toEventRecord(ev)
	set := map[string]any{"version": gorm.Expr("version + 1"), "updated_at": toDB(s.nowUTC())}
	for _, c := range columns {
		set[c] = eventColumns[c](&rec)
	}
	var out []timelineEventRecord
	res := s.conn(ctx).Model(&out).Clauses(clause.Returning{}).
		Where("id = ? AND version = ?", ev.ID, expectedVersion).Updates(set)
	if res.Error != nil {
		return incident.TimelineEvent{}, fmt.Errorf("store: update timeline event: %w", res.Error)
	}
	if len(out) == 1 {
		return out[0].domain(), nil
	}
	cur, err := s.TimelineEvent(ctx, ev.ID)
	if err != nil {
		return incident.TimelineEvent{}, err
	}
	return incident.TimelineEvent{}, &incident.ConflictError{Object: "timeline_event", Current: cur}
}

// DeleteTimelineEvent deletes an event (and, by cascade, its evidence links).
func (s *Store) DeleteTimelineEvent(ctx context.Context, id int64) error {
	res := s.conn(ctx).Where("id = ?", id).Delete(&timelineEventRecord{})
	if res.Error != nil {
		return fmt.Errorf("store: delete timeline event: %w", res.Error)
	}
	if res.RowsAffected == 0 {
		return incident.NotFound("timeline_event", ref(id))
	}
	return nil
}

// ExistingEventIDs returns, in ascending order, those of ids that are events
// of the incident.
func (s *Store) ExistingEventIDs(ctx context.Context, incidentID int64, ids []int64) ([]int64, error) {
	out := []int64{}
	for start := 0; start < len(ids); start += insertBatchRows {
		var found []int64
		err := s.conn(ctx).Model(&timelineEventRecord{}).
			Where("incident_id = ? AND id IN ?", incidentID, ids[start:min(start+insertBatchRows, len(ids))]).
			Pluck("id", &found).Error
		if err != nil {
			return nil, fmt.Errorf("store: existing event ids: %w", err)
		}
		out = append(out, found...)
	}
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return slices.Compact(out), nil
}
