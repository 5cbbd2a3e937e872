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

// overdueSum counts the rows overdueCase marks; its argument is today.
const overdueSum = "SUM(" + overdueCase + ")"

// statusSums are the conditional counts of one group, by status: one row
// per group lets SQLite stream a GROUP BY in index order instead of
// sorting the table.
const statusSums = "SUM(CASE WHEN status = 'open' THEN 1 ELSE 0 END) AS open, " +
	"SUM(CASE WHEN status = 'in_progress' THEN 1 ELSE 0 END) AS in_progress, " +
	"SUM(CASE WHEN status = 'done' THEN 1 ELSE 0 END) AS done, " +
	"SUM(CASE WHEN status = 'wont_do' THEN 1 ELSE 0 END) AS wont_do"

// statusSumGroup is one row of a GROUP BY key with statusSums.
type statusSumGroup struct {
	Key        string `gorm:"column:k"`
	Open       int    `gorm:"column:open"`
	InProgress int    `gorm:"column:in_progress"`
	Done       int    `gorm:"column:done"`
	WontDo     int    `gorm:"column:wont_do"`
	Overdue    int    `gorm:"column:od"`
}

// actionGroup is one row of the GROUP BY team, owner, priority, status;
// Overdue counts the group's overdue actions.
type actionGroup struct {
	Team     string `gorm:"column:team"`
	Owner    string `gorm:"column:owner"`
	Priority string `gorm:"column:priority"`
	Status   string `gorm:"column:status"`
	Overdue  int    `gorm:"column:od"`
	N        int    `gorm:"column:n"`
	// The completion counts of the group (see completionSums).
	Closed  int `gorm:"column:closed"`
	WithDue int `gorm:"column:with_due"`
	OnTime  int `gorm:"column:on_time"`
}

// ActionMetrics computes the actions dashboard for f: counts by status and
// by team, owner, service and priority (without filters from the rollups
// and the open actions, else two GROUP BY scans), the completion of the
// actions closed as done in the range against their due date, the days
// they took (nearest-rank percentiles) and the ten oldest overdue actions.
//
// Teams and owners are grouped case-insensitively, under their lower-cased
// form, like the filters of the actions list match them.
func (s *Store) ActionMetrics(ctx context.Context, f incident.ActionMetricsFilter) (incident.ActionMetrics, error) {
	m := incident.ActionMetrics{ByTeam: map[string]incident.StatusCounts{}, ByOwner: map[string]incident.StatusCounts{},
		ByService: map[string]incident.StatusCounts{}, ByPriority: map[string]incident.StatusCounts{}}
	today := dbDate(f.Today)
	var completion *completionRow
	if rollupsServe(f) {
		c, err := s.actionCountsFromRollups(ctx, f, &m)
		if err != nil {
			return incident.ActionMetrics{}, err
		}
		completion = &c
	} else {
		c, err := s.liveActionCounts(ctx, f, &m)
		if err != nil {
			return incident.ActionMetrics{}, err
		}
		completion = c
	}
	if err := s.completionMetrics(ctx, f, completion, &m); err != nil {
		return incident.ActionMetrics{}, err
	}
	var recs []actionRecord
	err := s.metricsQuery(ctx, f, true).
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

// liveActionCounts fills m's counts by status, team, owner, priority and
// service from the actions themselves, and returns the completion counts
// when the scan covers the actions they are of (no created range).
func (s *Store) liveActionCounts(ctx context.Context, f incident.ActionMetricsFilter, m *incident.ActionMetrics) (*completionRow, error) {
	today := dbDate(f.Today)
	// One scan groups by team, owner and priority at once, in the order of
	// corrective_actions_dashboard_idx; Go folds the rows into the three
	// dimensions.
	var rows []actionGroup
	q := s.metricsQuery(ctx, f, true)
	if f.Service == "" && f.Severity == "" && (strings.TrimSpace(f.Owner) == "" || strings.TrimSpace(f.Team) != "") {
		q = s.indexed(q, "corrective_actions_dashboard_idx") // else an owner's or an incident's few actions are fewer
	}
	err := q.
		Select("lower(team) AS team, lower(owner) AS owner, priority, status, "+overdueSum+" AS od, count(*) AS n, "+
			s.completionSums(), today).
		Group("lower(team), lower(owner), priority, status").Scan(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("store: action metrics: %w", err)
	}
	add := func(into map[string]incident.StatusCounts, key, status string, overdue, n int) {
		c := into[key]
		c.Add(incident.ActionStatus(status), false, n)
		c.Overdue += overdue
		into[key] = c
	}
	// Without a range, the completion counts cover the same actions as the
	// counts: this scan has them.
	var completion *completionRow
	if f.From == nil && f.To == nil {
		completion = &completionRow{}
	}
	for _, r := range rows {
		if completion != nil {
			completion.Closed += r.Closed
			completion.WithDue += r.WithDue
			completion.OnTime += r.OnTime
		}
		m.Counts.Add(incident.ActionStatus(r.Status), false, r.N)
		m.Counts.Overdue += r.Overdue
		add(m.ByTeam, r.Team, r.Status, r.Overdue, r.N)
		add(m.ByOwner, r.Owner, r.Status, r.Overdue, r.N)
		add(m.ByPriority, r.Priority, r.Status, r.Overdue, r.N)
	}
	// By service: walk the service labels in order (their primary key) and
	// count each one's actions through corrective_actions_incident_status_idx.
	var svc []statusSumGroup
	err = s.metricsQuery(ctx, f, true).
		Joins("JOIN incident_labels l ON l.incident_id = corrective_actions.incident_id AND l.kind = 'service'").
		Select("l.value AS k, "+statusSums+", "+overdueSum+" AS od", today).
		Group("l.value").Scan(&svc).Error
	if err != nil {
		return nil, fmt.Errorf("store: action metrics by service: %w", err)
	}
	for _, r := range svc {
		m.ByService[r.Key] = incident.StatusCounts{Open: r.Open, InProgress: r.InProgress, Done: r.Done, WontDo: r.WontDo, Overdue: r.Overdue}
	}
	return completion, nil
}

// completionRow is the completion counts of the actions closed as done.
type completionRow struct {
	Closed  int `gorm:"column:closed"`
	WithDue int `gorm:"column:with_due"`
	OnTime  int `gorm:"column:on_time"`
}

// completionSums is the SQL of completionRow over the rows of a query.
func (s *Store) completionSums() string {
	done := "status = 'done' AND completed_at IS NOT NULL"
	return "COALESCE(SUM(CASE WHEN " + done + " THEN 1 ELSE 0 END), 0) AS closed, " +
		"COALESCE(SUM(CASE WHEN " + done + " AND due_date IS NOT NULL THEN 1 ELSE 0 END), 0) AS with_due, " +
		"COALESCE(SUM(CASE WHEN " + done + " AND due_date >= " + s.dateOf("completed_at") + " THEN 1 ELSE 0 END), 0) AS on_time"
}

// rankedClose is the closed action at a rank of days to close.
type rankedClose struct {
	CreatedAt   dbTime `gorm:"column:created_at"`
	CompletedAt dbTime `gorm:"column:completed_at"`
}

// completionMetrics fills the completion within policy and the days to
// close from the actions closed as done in f's range (by completed_at):
// the counts (those of the counting scan, counted, when it covers the same
// actions; else one aggregate), then each nearest-rank percentile as the
// action at its rank in order of days to close: from the rollups without
// filters, else by sorting the filtered actions (the days themselves are
// computed here, from the times, as the domain does).
func (s *Store) completionMetrics(ctx context.Context, f incident.ActionMetricsFilter, counted *completionRow, m *incident.ActionMetrics) error {
	q := func() *gorm.DB {
		// 'done' literally: SQLite uses a partial index only for a
		// condition it can read in the query text.
		q := s.metricsQuery(ctx, f, false).Where("status = 'done' AND completed_at IS NOT NULL")
		return inDays(q, "completed_at", f.From, f.To)
	}
	c := counted
	if c == nil {
		c = &completionRow{}
		if err := q().Select(s.completionSums()).Scan(c).Error; err != nil {
			return fmt.Errorf("store: closed actions: %w", err)
		}
	}
	m.CompletionWithinPolicy = incident.CompletionPolicy{Done: c.WithDue, OnTime: c.OnTime, NoDueDate: c.Closed - c.WithDue}
	if c.WithDue > 0 {
		share := float64(c.OnTime) / float64(c.WithDue)
		m.CompletionWithinPolicy.Share = &share
	}
	n := c.Closed
	m.DaysToClose = incident.DaysToClose{Count: n}
	if n == 0 {
		return nil
	}
	if rollupsServe(f) {
		return s.daysToCloseFromRollups(ctx, f, n, m)
	}
	// A filter narrows the actions down: sorting them beats reading
	// corrective_actions_days_to_close_idx in order and looking each row
	// up, which SQLite, without statistics, would pick; "+ 0" keeps it
	// from the index.
	// Only a completion range (the index has completed_at and the
	// incident) is the exception: the index, read in order, answers it.
	expr, onlyRange := s.daysToCloseExpr(), f.Team == "" && f.Owner == "" && f.Service == "" && f.Severity == ""
	if s.dialect == DialectSQLite && !onlyRange {
		expr += " + 0"
	}
	ranked := q
	if onlyRange {
		ranked = func() *gorm.DB { return s.indexed(q(), "corrective_actions_days_to_close_idx") }
	}
	for _, p := range []struct {
		pct  float64
		into **float64
	}{{50, &m.DaysToClose.P50}, {90, &m.DaysToClose.P90}} {
		// Read the index from the nearer end: the p90 is the n-k-th from
		// the top (equal values are the same days, whichever row it is).
		k, order := incident.NearestRankIndex(n, p.pct), expr
		if k > n/2 {
			k, order = n-1-k, order+" DESC"
		}
		var r []rankedClose
		err := ranked().Select("created_at, completed_at").Order(order).Offset(k).Limit(1).Scan(&r).Error
		if err != nil {
			return fmt.Errorf("store: days to close: %w", err)
		}
		if len(r) == 1 {
			days := closeDays(r[0])
			*p.into = &days
		}
	}
	return nil
}

// daysToCloseExpr orders actions by the time they took from creation to
// completion (which of equal ones comes first does not matter: they took
// the same time); written exactly as the expression of
// corrective_actions_days_to_close_idx (migration 00017).
func (s *Store) daysToCloseExpr() string {
	if s.dialect == DialectPostgres {
		return "(completed_at - created_at)"
	}
	return "(julianday(completed_at) - julianday(created_at))"
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
	if (strings.TrimSpace(f.Service) != "" || f.Severity != "") && strings.TrimSpace(f.Owner) == "" && strings.TrimSpace(f.Team) == "" {
		// The incidents of a service or severity are a few thousand: their
		// actions are looked up by incident, not found by reading them all.
		q = s.indexed(q, "corrective_actions_incident_status_idx")
	}
	if strings.TrimSpace(f.Owner) != "" && strings.TrimSpace(f.Team) == "" && strings.TrimSpace(f.Service) == "" && f.Severity == "" {
		q = s.indexed(q, "corrective_actions_owner_idx") // an owner's actions are few
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
	// The day after the last stored day (9999-12-31) is not a time the
	// databases keep: no upper bound then, everything is on or before it.
	if to != nil && to.AddDays(1).Year <= incident.MaxTime.Year() {
		q = q.Where(col+" < ?", day(to.AddDays(1)))
	}
	return q
}
