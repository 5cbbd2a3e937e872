package store

import (
	"context"
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/hindsightrca/hindsight/internal/incident"
)

// overdueCase is 1 for an action still open after its due date (the rule of
// ActionFilter.Overdue and CorrectiveAction.Overdue), else 0; its argument
// is today.
const overdueCase = "CASE WHEN status NOT IN ('done', 'wont_do') AND due_date < ? THEN 1 ELSE 0 END"

// statusGroup is one row of a GROUP BY key, status, overdue.
type statusGroup struct {
	Key     string `gorm:"column:k"`
	Status  string `gorm:"column:status"`
	Overdue int    `gorm:"column:od"`
	N       int    `gorm:"column:n"`
}

// actionGroup is one row of the GROUP BY team, owner, priority, status,
// overdue.
type actionGroup struct {
	Team     string `gorm:"column:team"`
	Owner    string `gorm:"column:owner"`
	Priority string `gorm:"column:priority"`
	Status   string `gorm:"column:status"`
	Overdue  int    `gorm:"column:od"`
	N        int    `gorm:"column:n"`
}

// closedRecord is the narrow row the completion figures are computed from.
type closedRecord struct {
	CreatedAt   dbTime  `gorm:"column:created_at"`
	CompletedAt dbTime  `gorm:"column:completed_at"`
	DueDate     *dbDate `gorm:"column:due_date"`
}

// ActionMetrics computes the actions dashboard for f: counts by status and
// by team, owner, service and priority (two GROUP BY scans), the completion
// of the actions closed as done in the range against their due date, the
// days they took (nearest-rank percentiles, computed here from one narrow
// query) and the ten oldest overdue actions.
//
// Teams and owners are grouped case-insensitively, under their lower-cased
// form, like the filters of the actions list match them.
func (s *Store) ActionMetrics(ctx context.Context, f incident.ActionMetricsFilter) (incident.ActionMetrics, error) {
	m := incident.ActionMetrics{ByTeam: map[string]incident.StatusCounts{}, ByOwner: map[string]incident.StatusCounts{},
		ByService: map[string]incident.StatusCounts{}, ByPriority: map[string]incident.StatusCounts{}}
	today := dbDate(f.Today)
	// One scan groups by team, owner and priority at once (few distinct
	// combinations); Go folds the rows into the three dimensions.
	var rows []actionGroup
	err := s.metricsQuery(ctx, f, true).
		Select("lower(team) AS team, lower(owner) AS owner, priority, status, "+overdueCase+" AS od, count(*) AS n", today).
		Group("1, 2, 3, 4, 5").Scan(&rows).Error
	if err != nil {
		return incident.ActionMetrics{}, fmt.Errorf("store: action metrics: %w", err)
	}
	add := func(into map[string]incident.StatusCounts, key, status string, overdue bool, n int) {
		c := into[key]
		c.Add(incident.ActionStatus(status), overdue, n)
		into[key] = c
	}
	for _, r := range rows {
		od := r.Overdue == 1
		m.Counts.Add(incident.ActionStatus(r.Status), od, r.N)
		add(m.ByTeam, r.Team, r.Status, od, r.N)
		add(m.ByOwner, r.Owner, r.Status, od, r.N)
		add(m.ByPriority, r.Priority, r.Status, od, r.N)
	}
	var svc []statusGroup
	err = s.metricsQuery(ctx, f, true).
		Joins("JOIN incident_labels l ON l.incident_id = corrective_actions.incident_id AND l.kind = 'service'").
		Select("l.value AS k, status, "+overdueCase+" AS od, count(*) AS n", today).
		Group("1, 2, 3").Scan(&svc).Error
	if err != nil {
		return incident.ActionMetrics{}, fmt.Errorf("store: action metrics by service: %w", err)
	}
	for _, r := range svc {
		add(m.ByService, r.Key, r.Status, r.Overdue == 1, r.N)
	}
	if err := s.completionMetrics(ctx, f, &m); err != nil {
		return incident.ActionMetrics{}, err
	}
	var recs []actionRecord
	err = s.metricsQuery(ctx, f, true).
		Where("status NOT IN ? AND due_date < ?", []string{string(incident.ActionDone), string(incident.ActionWontDo)}, today).
		Order("due_date, id").Limit(10).Find(&recs).Error
	if err != nil {
		return incident.ActionMetrics{}, fmt.Errorf("store: oldest overdue actions: %w", err)
	}
	m.OldestOverdue = make([]incident.OverdueAction, len(recs))
	for i, r := range recs {
		a := r.domain()
		m.OldestOverdue[i] = incident.OverdueAction{
			ID: a.ID, IncidentKey: a.IncidentKey, Title: a.Title, Owner: a.Owner, Team: a.Team,
			DueDate: *a.DueDate, DaysOverdue: incident.DaysBetween(*a.DueDate, f.Today),
		}
	}
	return m, nil
}

// completionMetrics fills the completion within policy and the days to
// close from the actions closed as done in f's range (by completed_at).
func (s *Store) completionMetrics(ctx context.Context, f incident.ActionMetricsFilter, m *incident.ActionMetrics) error {
	q := s.metricsQuery(ctx, f, false).Where("status = ?", string(incident.ActionDone)).
		Where("completed_at IS NOT NULL")
	q = inDays(q, "completed_at", f.From, f.To)
	var rows []closedRecord
	if err := q.Select("created_at, completed_at, due_date").Scan(&rows).Error; err != nil {
		return fmt.Errorf("store: closed actions: %w", err)
	}
	days := make([]float64, 0, len(rows))
	for _, r := range rows {
		created, completed := time.Time(r.CreatedAt), time.Time(r.CompletedAt)
		days = append(days, completed.Sub(created).Hours()/24)
		if r.DueDate == nil {
			m.CompletionWithinPolicy.NoDueDate++
			continue
		}
		m.CompletionWithinPolicy.Done++
		if !incident.Date(*r.DueDate).Before(incident.DateOf(completed.UTC())) {
			m.CompletionWithinPolicy.OnTime++
		}
	}
	if c := m.CompletionWithinPolicy; c.Done > 0 {
		share := float64(c.OnTime) / float64(c.Done)
		m.CompletionWithinPolicy.Share = &share
	}
	m.DaysToClose = incident.DaysToClose(incident.PercentilesOf(days))
	return nil
}

// metricsQuery selects the actions f counts; created says whether to apply
// its range to created_at (the counts) or leave it to the caller.
func (s *Store) metricsQuery(ctx context.Context, f incident.ActionMetricsFilter, created bool) *gorm.DB {
	q := onlyVisibleRef(s.conn(ctx).Model(&actionRecord{}), "corrective_actions.incident_id", f.Viewer)
	if v := strings.TrimSpace(f.Owner); v != "" {
		q = q.Where("lower(owner) = lower(?)", v)
	}
	if v := strings.TrimSpace(f.Team); v != "" {
		q = q.Where("lower(team) = lower(?)", v)
	}
	if v := strings.TrimSpace(f.Service); v != "" {
		q = q.Where("corrective_actions.incident_id IN (SELECT incident_id FROM incident_labels WHERE kind = 'service' AND value = ?)",
			labelKey(v))
	}
	if f.Severity != "" {
		q = q.Where("corrective_actions.incident_id IN (SELECT id FROM incidents WHERE severity = ?)", string(f.Severity))
	}
	if created {
		q = inDays(q, "corrective_actions.created_at", f.From, f.To)
	}
	return q
}

// inDays keeps the rows whose col falls on the days from..to (UTC, inclusive).
func inDays(q *gorm.DB, col string, from, to *incident.Date) *gorm.DB {
	day := func(d incident.Date) dbTime {
		return dbTime(time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, time.UTC))
	}
	if from != nil {
		q = q.Where(col+" >= ?", day(*from))
	}
	if to != nil {
		q = q.Where(col+" < ?", day(to.AddDays(1)))
	}
	return q
}
