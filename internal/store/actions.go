package store

import (
	"context"
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/hindsightrca/hindsight/internal/incident"
)

// actionRecord is a row of corrective_actions.
type actionRecord struct {
	ID             int64   `gorm:"column:id;primaryKey"`
	IncidentID     int64   `gorm:"column:incident_id"`
	Title          string  `gorm:"column:title"`
	Description    string  `gorm:"column:description"`
	Type           string  `gorm:"column:type"`
	Priority       string  `gorm:"column:priority"`
	Owner          string  `gorm:"column:owner"`
	Team           string  `gorm:"column:team"`
	DueDate        *dbDate `gorm:"column:due_date"`
	DueDateSource  string  `gorm:"column:due_date_source"`
	Status         string  `gorm:"column:status"`
	CompletedAt    *dbTime `gorm:"column:completed_at"`
	TicketSystem   string  `gorm:"column:ticket_system"`
	TicketKey      string  `gorm:"column:ticket_key"`
	TicketURL      string  `gorm:"column:ticket_url"`
	TicketStatus   string  `gorm:"column:ticket_status"`
	TicketSyncedAt *dbTime `gorm:"column:ticket_synced_at"`
	TicketSyncErr  string  `gorm:"column:ticket_sync_error"`
	TicketErrAt    *dbTime `gorm:"column:ticket_sync_error_at"`
	Version        int     `gorm:"column:version"`
	CreatedAt      dbTime  `gorm:"column:created_at;autoCreateTime:false"`
	UpdatedAt      dbTime  `gorm:"column:updated_at;autoUpdateTime:false"`
}

func (actionRecord) TableName() string { return "corrective_actions" }

func toActionRecord(a incident.CorrectiveAction) actionRecord {
	return actionRecord{
		ID: a.ID, IncidentID: a.IncidentID, Title: a.Title, Description: a.Description,
		Type: string(a.Type), Priority: string(a.Priority), Owner: a.Owner, Team: a.Team,
		DueDate: toDBDate(a.DueDate), DueDateSource: a.DueDateSource, Status: string(a.Status), CompletedAt: toDBPtr(a.CompletedAt),
		TicketSystem: a.TicketSystem, TicketKey: a.TicketKey, TicketURL: a.TicketURL,
		TicketStatus: a.TicketStatus, TicketSyncedAt: toDBPtr(a.TicketSyncedAt),
		TicketSyncErr: a.TicketSyncError, TicketErrAt: toDBPtr(a.TicketSyncErrorAt),
		Version: a.Version, CreatedAt: toDB(a.CreatedAt), UpdatedAt: toDB(a.UpdatedAt),
	}
}

// domain maps the row; IncidentKey is INC-<incident id>, which is how
// CreateIncident sets every key.
func (r actionRecord) domain() incident.CorrectiveAction {
	return incident.CorrectiveAction{
		ID: r.ID, IncidentID: r.IncidentID, IncidentKey: incident.FormatKey(r.IncidentID),
		Title: r.Title, Description: r.Description,
		Type: incident.ActionType(r.Type), Priority: incident.Priority(r.Priority),
		Owner: r.Owner, Team: r.Team, DueDate: fromDBDate(r.DueDate), DueDateSource: r.DueDateSource,
		Status: incident.ActionStatus(r.Status), CompletedAt: fromDBPtr(r.CompletedAt),
		TicketSystem: r.TicketSystem, TicketKey: r.TicketKey, TicketURL: r.TicketURL,
		TicketStatus: r.TicketStatus, TicketSyncedAt: fromDBPtr(r.TicketSyncedAt),
		TicketSyncError: r.TicketSyncErr, TicketSyncErrorAt: fromDBPtr(r.TicketErrAt),
		Version: r.Version, CreatedAt: time.Time(r.CreatedAt), UpdatedAt: time.Time(r.UpdatedAt),
	}
}

// actionColumns maps each column UpdateAction may set to its value.
var actionColumns = map[string]func(r *actionRecord) any{
	"title":            func(r *actionRecord) any { return r.Title },
	"description":      func(r *actionRecord) any { return r.Description },
	"type":             func(r *actionRecord) any { return r.Type },
	"priority":         func(r *actionRecord) any { return r.Priority },
	"owner":            func(r *actionRecord) any { return r.Owner },
	"team":             func(r *actionRecord) any { return r.Team },
	"due_date":         func(r *actionRecord) any { return r.DueDate },
	"due_date_source":  func(r *actionRecord) any { return r.DueDateSource },
	"status":           func(r *actionRecord) any { return r.Status },
	"completed_at":     func(r *actionRecord) any { return r.CompletedAt },
	"ticket_system":    func(r *actionRecord) any { return r.TicketSystem },
	"ticket_key":       func(r *actionRecord) any { return r.TicketKey },
	"ticket_url":       func(r *actionRecord) any { return r.TicketURL },
	"ticket_status":    func(r *actionRecord) any { return r.TicketStatus },
	"ticket_synced_at": func(r *actionRecord) any { return r.TicketSyncedAt },
	// Ticket sync's own columns (see tickets.go).
	"ticket_sync_error":    func(r *actionRecord) any { return r.TicketSyncErr },
	"ticket_sync_error_at": func(r *actionRecord) any { return r.TicketErrAt },
}

// CreateAction inserts a and sets its ID, IncidentKey, Version (1) and timestamps.
func (s *Store) CreateAction(ctx context.Context, a *incident.CorrectiveAction) error {
	now := s.nowUTC()
	a.Version, a.CreatedAt, a.UpdatedAt = 1, now, now
	rec := toActionRecord(*a)
	rec.ID = 0
	if err := s.conn(ctx).Create(&rec).Error; err != nil {
		if isForeignKeyViolation(err) {
			return incident.NotFound("incident", ref(a.IncidentID))
		}
		return fmt.Errorf("store: create action: %w", err)
	}
	*a = rec.domain()
	return nil
}

// Action returns the corrective action with that id.
func (s *Store) Action(ctx context.Context, id int64) (incident.CorrectiveAction, error) {
	var rec actionRecord
	res := s.conn(ctx).Where("id = ?", id).Limit(1).Find(&rec)
	if res.Error != nil {
		return incident.CorrectiveAction{}, fmt.Errorf("store: action: %w", res.Error)
	}
	if res.RowsAffected == 0 {
		return incident.CorrectiveAction{}, incident.NotFound("action", ref(id))
	}
	return rec.domain(), nil
}

// Actions returns one page of the corrective actions matching f, ordered by
// due date (none last) then id, up to f.Limit+1 of them, and how many match
// in all. Continue after ActionCursor of the last action kept.
func (s *Store) Actions(ctx context.Context, f incident.ActionFilter) ([]incident.CorrectiveAction, int, error) {
	var total int64
	if err := s.actionQuery(ctx, f).Count(&total).Error; err != nil {
		return nil, 0, fmt.Errorf("store: count actions: %w", err)
	}
	q := s.actionQuery(ctx, f)
	if c := f.Cursor; c != nil {
		if c.Value == "" { // past the last dated action: undated ones by id
			q = q.Where("due_date IS NULL AND id > ?", c.ID)
		} else {
			d, err := incident.ParseDate(c.Value)
			if err != nil {
				return nil, 0, incident.Invalid("cursor", "is not a cursor this server gave out")
			}
			v := dbDate(d)
			q = q.Where("(due_date IS NULL OR "+keyset("due_date", "id", ">")+")", v, v, c.ID)
		}
	}
	var recs []actionRecord
	err := q.Order("CASE WHEN due_date IS NULL THEN 1 ELSE 0 END, due_date, id").
		Limit(pageLimit(f.Limit)).Find(&recs).Error
	if err != nil {
		return nil, 0, fmt.Errorf("store: list actions: %w", err)
	}
	out := make([]incident.CorrectiveAction, len(recs))
	for i, r := range recs {
		out[i] = r.domain()
	}
	return out, int(total), nil
}

func (s *Store) actionQuery(ctx context.Context, f incident.ActionFilter) *gorm.DB {
	q := onlyVisibleRef(s.conn(ctx).Model(&actionRecord{}), "corrective_actions.incident_id", f.Viewer)
	if f.IncidentID != 0 {
		q = q.Where("incident_id = ?", f.IncidentID)
	}
	if len(f.Statuses) > 0 {
		q = q.Where("status IN ?", strs(f.Statuses))
	}
	if v := strings.TrimSpace(f.Owner); v != "" {
		q = q.Where("lower(owner) = lower(?)", v)
	}
	if v := strings.TrimSpace(f.Team); v != "" {
		q = q.Where("lower(team) = lower(?)", v)
	}
	if f.Priority != "" {
		q = q.Where("priority = ?", strings.ToLower(string(f.Priority)))
	}
	if f.Overdue {
		q = q.Where("status NOT IN ? AND due_date < ?",
			[]string{string(incident.ActionDone), string(incident.ActionWontDo)}, dbDate(f.Today))
	}
	if f.DueBefore != nil {
		q = q.Where("due_date < ?", dbDate(*f.DueBefore))
	}
	return q
}

// ActionCursor returns the position of a in an action list: its due date
// ("" when it has none) and id.
func ActionCursor(a incident.CorrectiveAction) incident.Cursor {
	c := incident.Cursor{ID: a.ID}
	if a.DueDate != nil {
		c.Value = a.DueDate.String()
	}
	return c
}

// UpdateAction writes the named columns of a if its version is still
// expectedVersion. A stale version gives a *incident.ConflictError with the
// stored incident.CorrectiveAction as Current.
func (s *Store) UpdateAction(ctx context.Context, a incident.CorrectiveAction, expectedVersion int, columns []string) (incident.CorrectiveAction, error) {
	if err := checkColumnFuncs("action", columns, actionColumns); err != nil {
		return incident.CorrectiveAction{}, err
	}
	rec := toActionRecord(a)
	set := map[string]any{"version": gorm.Expr("version + 1"), "updated_at": toDB(s.nowUTC())}
	for _, c := range columns {
		set[c] = actionColumns[c](&rec)
	}
	var out []actionRecord
	res := s.conn(ctx).Model(&out).Clauses(clause.Returning{}).
		Where("id = ? AND version = ?", a.ID, expectedVersion).Updates(set)
	if res.Error != nil {
		return incident.CorrectiveAction{}, fmt.Errorf("store: update action: %w", res.Error)
	}
	if len(out) == 1 {
		return out[0].domain(), nil
	}
	cur, err := s.Action(ctx, a.ID)
	if err != nil {
		return incident.CorrectiveAction{}, err
	}
	return incident.CorrectiveAction{}, &incident.ConflictError{Object: "action", Current: cur}
}

// DeleteAction deletes a corrective action.
func (s *Store) DeleteAction(ctx context.Context, id int64) error {
	res := s.conn(ctx).Where("id = ?", id).Delete(&actionRecord{})
	if res.Error != nil {
		return fmt.Errorf("store: delete action: %w", res.Error)
	}
	if res.RowsAffected == 0 {
		return incident.NotFound("action", ref(id))
	}
	return nil
}
