package store

import (
	"context"
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/hindsightrca/hindsight/internal/incident"
)

// The actions dashboard without filters reads the closed actions from the
// rollups of migration 00018 (kept in step by triggers) and counts only the
// open actions live; for a viewer who may not see every incident it takes
// the closed actions of the incidents hidden from it (few: restricted ones)
// back out. Filters other than the viewer go the live way (ActionMetrics).

// rollupsServe says whether the rollups answer f: no filter but the viewer.
func rollupsServe(f incident.ActionMetricsFilter) bool {
	return f.From == nil && f.To == nil && strings.TrimSpace(f.Team) == "" && strings.TrimSpace(f.Owner) == "" &&
		strings.TrimSpace(f.Service) == "" && f.Severity == ""
}

// openOnly is the condition of the open actions, literally, so that
// SQLite uses the partial index corrective_actions_open_idx.
const openOnly = "status IN ('open', 'in_progress')"

// closedOnly is the condition of the closed actions.
const closedOnly = "status IN ('done', 'wont_do')"

// hiddenIndex looks the actions of the few hidden incidents up by incident
// (SQLite would rather read every closed action and test its incident).
const hiddenIndex = "corrective_actions_incident_status_idx"

// actionCountsFromRollups fills m's counts by status, team, owner, priority
// and service, and returns the completion counts.
func (s *Store) actionCountsFromRollups(ctx context.Context, f incident.ActionMetricsFilter, m *incident.ActionMetrics) (completionRow, error) {
	var c completionRow
	today := dbDate(f.Today)
	var open, closed, hidden []actionGroup
	err := s.indexed(s.metricsQuery(ctx, f, false), "corrective_actions_open_idx").Where(openOnly).
		Select("lower(team) AS team, lower(owner) AS owner, priority, status, "+overdueSum+" AS od, count(*) AS n", today).
		Group("lower(team), lower(owner), priority, status").Scan(&open).Error
	if err == nil {
		err = s.conn(ctx).Table("action_rollups").Where("actions <> 0").
			Select("team, owner, priority, status, 0 AS od, actions AS n, done_completed AS closed, with_due, on_time").
			Scan(&closed).Error
	}
	hiddenSQL, hiddenArgs := hiddenIDs(f.Viewer)
	hiddenIn := "corrective_actions.incident_id IN (" + hiddenSQL + ")"
	if err == nil && !f.Viewer.All {
		err = s.indexed(s.conn(ctx).Model(&actionRecord{}), hiddenIndex).Where(closedOnly).Where(hiddenIn, hiddenArgs...).
			Select("lower(team) AS team, lower(owner) AS owner, priority, status, 0 AS od, count(*) AS n, " + s.completionSums()).
			Group("lower(team), lower(owner), priority, status").Scan(&hidden).Error
	}
	if err != nil {
		return c, fmt.Errorf("store: action rollups: %w", err)
	}
	fold := func(rows []actionGroup, sign int) {
		for _, r := range rows {
			n, od := sign*r.N, sign*r.Overdue
			c.Closed += sign * r.Closed
			c.WithDue += sign * r.WithDue
			c.OnTime += sign * r.OnTime
			m.Counts.Add(incident.ActionStatus(r.Status), false, n)
			m.Counts.Overdue += od
			for _, d := range []struct {
				into map[string]incident.StatusCounts
				key  string
			}{{m.ByTeam, r.Team}, {m.ByOwner, r.Owner}, {m.ByPriority, r.Priority}} {
				sc := d.into[d.key]
				sc.Add(incident.ActionStatus(r.Status), false, n)
				sc.Overdue += od
				d.into[d.key] = sc
			}
		}
	}
	fold(open, 1)
	fold(closed, 1)
	fold(hidden, -1)
	if m.ByService != nil { // nil: only the totals are wanted
		if err := s.serviceCountsFromRollups(ctx, f, today, hiddenIn, hiddenArgs, m); err != nil {
			return c, err
		}
	}
	for _, into := range []map[string]incident.StatusCounts{m.ByTeam, m.ByOwner, m.ByPriority, m.ByService} {
		for k, v := range into {
			if v == (incident.StatusCounts{}) {
				delete(into, k) // every action of the group hidden or deleted
			}
		}
	}
	return c, nil
}

// serviceStatusCount is one row of a GROUP BY service, status.
type serviceStatusCount struct {
	Key    string `gorm:"column:k"`
	Status string `gorm:"column:status"`
	N      int    `gorm:"column:n"`
}

// serviceCountsFromRollups fills m.ByService: the open actions live, the
// closed ones from action_service_rollups less those of hidden incidents.
func (s *Store) serviceCountsFromRollups(ctx context.Context, f incident.ActionMetricsFilter, today dbDate, hiddenIn string,
	hiddenArgs []any, m *incident.ActionMetrics) error {
	var open []statusSumGroup
	// From the open actions to their labels (CROSS JOIN keeps SQLite to
	// that order), not from every service label to its actions.
	err := s.indexed(s.metricsQuery(ctx, f, false), "corrective_actions_open_idx").Where(openOnly).
		Joins("CROSS JOIN incident_labels l").
		Where("l.incident_id = corrective_actions.incident_id AND l.kind = 'service'").
		Select("l.value AS k, "+statusSums+", "+overdueSum+" AS od", today).Group("l.value").Scan(&open).Error
	var closed, hidden []serviceStatusCount
	if err == nil {
		err = s.conn(ctx).Table("action_service_rollups").Where("actions <> 0").
			Select("service AS k, status, actions AS n").Scan(&closed).Error
	}
	if err == nil && !f.Viewer.All {
		err = s.indexed(s.conn(ctx).Model(&actionRecord{}), hiddenIndex).Where(closedOnly).Where(hiddenIn, hiddenArgs...).
			Joins("JOIN incident_labels l ON l.incident_id = corrective_actions.incident_id AND l.kind = 'service'").
			Select("l.value AS k, status, count(*) AS n").Group("l.value, status").Scan(&hidden).Error
	}
	if err != nil {
		return fmt.Errorf("store: action service rollups: %w", err)
	}
	for _, r := range open {
		m.ByService[r.Key] = incident.StatusCounts{Open: r.Open, InProgress: r.InProgress, Overdue: r.Overdue}
	}
	for _, rows := range []struct {
		rows []serviceStatusCount
		sign int
	}{{closed, 1}, {hidden, -1}} {
		for _, r := range rows.rows {
			sc := m.ByService[r.Key]
			sc.Add(incident.ActionStatus(r.Status), false, rows.sign*r.N)
			m.ByService[r.Key] = sc
		}
	}
	return nil
}

// dayBucket is one row of action_close_day_counts.
type dayBucket struct {
	Days int `gorm:"column:days"`
	N    int `gorm:"column:n"`
}

// daysToCloseFromRollups fills the days-to-close percentiles of the n
// visible actions closed as done: action_close_day_counts (less the hidden
// incidents' actions) says in which whole day the rank falls, and the
// actions of that day are read in order from
// corrective_actions_days_to_close_idx.
func (s *Store) daysToCloseFromRollups(ctx context.Context, f incident.ActionMetricsFilter, n int, m *incident.ActionMetrics) error {
	var buckets, hidden []dayBucket
	err := s.conn(ctx).Table("action_close_day_counts").Where("actions <> 0").
		Select("days, actions AS n").Order("days").Scan(&buckets).Error
	if err == nil && !f.Viewer.All {
		sub, args := hiddenIDs(f.Viewer)
		err = s.indexed(s.conn(ctx).Model(&actionRecord{}), hiddenIndex).Where("status = 'done' AND completed_at IS NOT NULL").
			Where("corrective_actions.incident_id IN ("+sub+")", args...).
			Select(s.closeDayExpr() + " AS days, count(*) AS n").Group("days").Scan(&hidden).Error
	}
	if err != nil {
		return fmt.Errorf("store: days to close rollups: %w", err)
	}
	less := map[int]int{}
	for _, h := range hidden {
		less[h.Days] += h.N
	}
	for _, p := range []struct {
		pct  float64
		into **float64
	}{{50, &m.DaysToClose.P50}, {90, &m.DaysToClose.P90}} {
		k := incident.NearestRankIndex(n, p.pct)
		for _, b := range buckets {
			count := b.N - less[b.Days]
			if k >= count {
				k -= count
				continue
			}
			days, err := s.closeDayRank(ctx, f, b.Days, k)
			if err != nil {
				return err
			}
			*p.into = days
			break
		}
	}
	return nil
}

// closeDayRank is the days to close of the k-th (from 0) visible action
// closed as done in whole day d, in order of days to close.
func (s *Store) closeDayRank(ctx context.Context, f incident.ActionMetricsFilter, d, k int) (*float64, error) {
	expr := s.daysToCloseExpr()
	// The bounds one day around d let the index narrow the read down; the
	// day expression then keeps exactly the rows counted in d.
	lo, hi := any(d-1), any(d+2)
	if s.dialect == DialectPostgres {
		lo, hi = gorm.Expr("make_interval(days => CAST(? AS integer))", d-1), gorm.Expr("make_interval(days => CAST(? AS integer))", d+2)
	}
	var r []rankedClose
	err := s.indexed(s.metricsQuery(ctx, f, false), "corrective_actions_days_to_close_idx").
		Where("status = 'done' AND completed_at IS NOT NULL").
		Where(expr+" >= ? AND "+expr+" < ? AND "+s.closeDayExpr()+" = ?", lo, hi, d).
		Select("created_at, completed_at").Order(expr).Offset(k).Limit(1).Scan(&r).Error
	if err != nil {
		return nil, fmt.Errorf("store: days to close: %w", err)
	}
	if len(r) == 0 {
		return nil, fmt.Errorf("store: days to close: no action at rank %d of day %d (rollups out of step)", k, d)
	}
	days := closeDays(r[0])
	return &days, nil
}

// closeDayExpr is the whole day (the floor) of daysToCloseExpr, written
// exactly as migration 00018 computes the days of action_close_day_counts.
func (s *Store) closeDayExpr() string {
	if s.dialect == DialectPostgres {
		return "floor(extract(epoch FROM completed_at - created_at) / 86400)::integer"
	}
	return "CAST((julianday(completed_at) - julianday(created_at)) + 100000 AS INTEGER) - 100000"
}

// indexed makes SQLite read the actions of q through the index idx: without
// statistics (a data dir never analyzed) it picks the status index and
// sorts instead. PostgreSQL plans from its statistics.
func (s *Store) indexed(q *gorm.DB, idx string) *gorm.DB {
	if s.dialect != DialectSQLite {
		return q
	}
	return q.Table("corrective_actions INDEXED BY " + idx)
}

// closeDays is the days r took to close, 0 for one completed before it was
// created (a ticket closed before the action was written down): the
// percentiles are of these clamped days, which order as the raw ones do.
func closeDays(r rankedClose) float64 {
	return max(0, time.Time(r.CompletedAt).Sub(time.Time(r.CreatedAt)).Hours()/24)
}
