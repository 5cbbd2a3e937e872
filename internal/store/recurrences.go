package store

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"

	"github.com/hindsightrca/hindsight/internal/incident"
)

// recurrenceRow is a row of recurrences with what a list shows of its two
// incidents (the i_ and p_ columns come from joins).
type recurrenceRow struct {
	ID             int64   `gorm:"column:id"`
	IncidentID     int64   `gorm:"column:incident_id"`
	PastIncidentID int64   `gorm:"column:past_incident_id"`
	Relative       float64 `gorm:"column:relative"`
	Score          float64 `gorm:"column:score"`
	Reasons        string  `gorm:"column:reasons"`
	ActionsClosed  int     `gorm:"column:actions_closed"`
	CreatedAt      dbTime  `gorm:"column:created_at"`
	DismissedAt    *dbTime `gorm:"column:dismissed_at"`
	DismissedBy    string  `gorm:"column:dismissed_by"`

	IKey          *string     `gorm:"column:i_key"`
	ITitle        string      `gorm:"column:i_title"`
	IStatus       string      `gorm:"column:i_status"`
	IVisibility   string      `gorm:"column:i_visibility"`
	IRestrictedTo jsonStrings `gorm:"column:i_restricted_to"`
	PKey          *string     `gorm:"column:p_key"`
	PTitle        string      `gorm:"column:p_title"`
	PStatus       string      `gorm:"column:p_status"`
	PVisibility   string      `gorm:"column:p_visibility"`
	PRestrictedTo jsonStrings `gorm:"column:p_restricted_to"`
}

// recurrenceSelect reads a recurrence with both incidents.
const recurrenceSelect = `r.id, r.incident_id, r.past_incident_id, r.relative, r.score, r.reasons, r.actions_closed,
 r.created_at, r.dismissed_at, r.dismissed_by,
 i.key AS i_key, i.title AS i_title, i.status AS i_status, i.visibility AS i_visibility, i.restricted_to AS i_restricted_to,
 p.key AS p_key, p.title AS p_title, p.status AS p_status, p.visibility AS p_visibility, p.restricted_to AS p_restricted_to`

func (r recurrenceRow) domain() (incident.Recurrence, error) {
	reasons := []incident.MatchReason{}
	if err := scanJSON(r.Reasons, &reasons); err != nil {
		return incident.Recurrence{}, fmt.Errorf("store: recurrence %d: reasons: %w", r.ID, err)
	}
	ref := func(id int64, key *string, title, status, vis string, to jsonStrings) incident.IncidentRef {
		out := incident.IncidentRef{ID: id, Title: title, Status: incident.Status(status),
			Visibility: incident.Visibility(vis), RestrictedTo: labels(to)}
		if key != nil {
			out.Key = *key
		}
		return out
	}
	return incident.Recurrence{
		ID: r.ID, IncidentID: r.IncidentID, PastIncidentID: r.PastIncidentID, Relative: r.Relative, Score: r.Score,
		Reasons: reasons, ActionsClosed: r.ActionsClosed, CreatedAt: time.Time(r.CreatedAt),
		DismissedAt: fromDBPtr(r.DismissedAt), DismissedBy: r.DismissedBy,
		Incident: ref(r.IncidentID, r.IKey, r.ITitle, r.IStatus, r.IVisibility, r.IRestrictedTo),
		Past:     ref(r.PastIncidentID, r.PKey, r.PTitle, r.PStatus, r.PVisibility, r.PRestrictedTo),
	}, nil
}

// AddRecurrence records that rec.IncidentID looks like rec.PastIncidentID
// unless that pair is already recorded (dismissed or not): every replica's
// indexer checks the same incidents, and only the first insert counts. It
// returns the new row's id and whether this call inserted it.
func (s *Store) AddRecurrence(ctx context.Context, rec incident.Recurrence) (int64, bool, error) {
	reasons := rec.Reasons
	if reasons == nil {
		reasons = []incident.MatchReason{}
	}
	js, err := marshalJSON(reasons)
	if err != nil {
		return 0, false, fmt.Errorf("store: add recurrence: %w", err)
	}
	at := rec.CreatedAt
	if at.IsZero() {
		at = s.nowUTC()
	}
	var ids []int64
	err = s.conn(ctx).Raw(`INSERT INTO recurrences (incident_id, past_incident_id, relative, score, reasons, actions_closed, created_at)
 VALUES (?, ?, ?, ?, ?, ?, ?)
 ON CONFLICT (incident_id, past_incident_id) DO NOTHING
 RETURNING id`,
		rec.IncidentID, rec.PastIncidentID, rec.Relative, rec.Score, js, rec.ActionsClosed, toDB(at)).Scan(&ids).Error
	if err != nil {
		if isForeignKeyViolation(s.translate(err)) {
			return 0, false, incident.NotFound("incident", ref(rec.IncidentID)+" or "+ref(rec.PastIncidentID))
		}
		return 0, false, fmt.Errorf("store: add recurrence: %w", err)
	}
	if len(ids) == 0 {
		return 0, false, nil
	}
	return ids[0], true, nil
}

// Recurrence returns the recurrence warning with that id, with both incidents.
func (s *Store) Recurrence(ctx context.Context, id int64) (incident.Recurrence, error) {
	var rows []recurrenceRow
	if err := s.recurrenceBase(ctx).Select(recurrenceSelect).Where("r.id = ?", id).Limit(1).Find(&rows).Error; err != nil {
		return incident.Recurrence{}, fmt.Errorf("store: recurrence: %w", err)
	}
	if len(rows) == 0 {
		return incident.Recurrence{}, incident.NotFound("recurrence", ref(id))
	}
	return rows[0].domain()
}

// Recurrences returns one page of the recurrence warnings matching f,
// newest first, up to f.Limit+1 of them, and how many match in all.
// Continue after RecurrenceCursor of the last one kept.
func (s *Store) Recurrences(ctx context.Context, f incident.RecurrenceFilter) ([]incident.Recurrence, int, error) {
	var total int64
	if err := s.recurrenceQuery(ctx, f).Count(&total).Error; err != nil {
		return nil, 0, fmt.Errorf("store: count recurrences: %w", err)
	}
	q := s.recurrenceQuery(ctx, f)
	if c := f.Cursor; c != nil {
		v, err := cursorTime(c.Value)
		if err != nil {
			return nil, 0, err
		}
		q = q.Where(keyset("r.created_at", "r.id", "<"), v, v, c.ID)
	}
	var rows []recurrenceRow
	if err := q.Select(recurrenceSelect).Order("r.created_at DESC, r.id DESC").Limit(pageLimit(f.Limit)).Find(&rows).Error; err != nil {
		return nil, 0, fmt.Errorf("store: list recurrences: %w", err)
	}
	out, err := recurrenceDomains(rows)
	return out, int(total), err
}

// RecurrenceCursor returns the position of rec in a recurrence list.
func RecurrenceCursor(rec incident.Recurrence) incident.Cursor {
	return incident.Cursor{Value: formatTime(rec.CreatedAt), ID: rec.ID}
}

// DismissRecurrence marks a warning dismissed by who at at. Dismissing it
// again keeps the first dismissal. It returns the warning as stored.
func (s *Store) DismissRecurrence(ctx context.Context, id int64, who string, at time.Time) (incident.Recurrence, error) {
	res := s.conn(ctx).Exec(`UPDATE recurrences SET dismissed_at = ?, dismissed_by = ? WHERE id = ? AND dismissed_at IS NULL`,
		toDB(at), who, id)
	if res.Error != nil {
		return incident.Recurrence{}, fmt.Errorf("store: dismiss recurrence: %w", res.Error)
	}
	return s.Recurrence(ctx, id)
}

// recurrenceBase joins recurrences with both incidents; reads add
// Select(recurrenceSelect), counts do not.
func (s *Store) recurrenceBase(ctx context.Context) *gorm.DB {
	return s.conn(ctx).Table("recurrences AS r").
		Joins("JOIN incidents i ON i.id = r.incident_id").
		Joins("JOIN incidents p ON p.id = r.past_incident_id")
}

// recurrenceQuery applies f's filters (not its cursor, order or limit).
func (s *Store) recurrenceQuery(ctx context.Context, f incident.RecurrenceFilter) *gorm.DB {
	q := onlyVisible(onlyVisible(s.recurrenceBase(ctx), "i", f.Viewer), "p", f.Viewer)
	if f.IncidentID != 0 {
		q = q.Where("r.incident_id = ?", f.IncidentID)
	}
	if !f.IncludeDismissed {
		q = q.Where("r.dismissed_at IS NULL")
	}
	if len(f.Exclude) > 0 {
		q = q.Where("r.id NOT IN ?", f.Exclude)
	}
	return q
}

func recurrenceDomains(rows []recurrenceRow) ([]incident.Recurrence, error) {
	out := make([]incident.Recurrence, len(rows))
	for i, r := range rows {
		rec, err := r.domain()
		if err != nil {
			return nil, err
		}
		out[i] = rec
	}
	return out, nil
}

// UnresolvedIncidents returns those of the incidents ids that are open or
// mitigated, the ones a recurrence warning is for.
func (s *Store) UnresolvedIncidents(ctx context.Context, ids []int64) ([]incident.Incident, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	var recs []incidentRecord
	if err := s.conn(ctx).Where("id IN ? AND status <> ?", ids, string(incident.StatusResolved)).
		Order("id").Find(&recs).Error; err != nil {
		return nil, fmt.Errorf("store: unresolved incidents: %w", err)
	}
	out := make([]incident.Incident, len(recs))
	for i, r := range recs {
		out[i] = r.domain()
	}
	return out, nil
}
