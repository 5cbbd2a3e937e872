package store

import (
	"context"
	"fmt"
	"time"

	"github.com/hindsightrca/hindsight/internal/incident"
)

// closedAtExpr is when an action was closed (done or won't do): its
// completed_at, or its last update for a closed action without one; NULL
// for an action still open or in progress.
const closedAtExpr = "CASE WHEN corrective_actions.status IN ('done', 'wont_do') " +
	"THEN COALESCE(corrective_actions.completed_at, corrective_actions.updated_at) END"

// dayCount is one row of a GROUP BY day.
type dayCount struct {
	Day dbDate `gorm:"column:d"` // the SQLite driver may hand a YYYY-MM-DD text over as a time
	N   int    `gorm:"column:n"`
}

// ActionBurndownCounts counts what the burn-down of the days from..to is
// drawn from: the actions f selects (its team, service, severity, owner and
// viewer; not its created range) open at the start of from, and those
// created and closed on each day up to to.
func (s *Store) ActionBurndownCounts(ctx context.Context, f incident.ActionMetricsFilter, from, to incident.Date) (incident.BurndownCounts, error) {
	c := incident.BurndownCounts{Opened: map[incident.Date]int{}, Closed: map[incident.Date]int{}}
	start := dbTime(time.Date(from.Year, from.Month, from.Day, 0, 0, 0, 0, time.UTC))
	end := dbTime(time.Date(to.Year, to.Month, to.Day, 0, 0, 0, 0, time.UTC).AddDate(0, 0, 1))
	var before int64
	err := s.metricsQuery(ctx, f, false).
		Where("corrective_actions.created_at < ?", start).
		Where("("+closedAtExpr+") IS NULL OR ("+closedAtExpr+") >= ?", start).
		Count(&before).Error
	if err != nil {
		return c, fmt.Errorf("store: burndown open actions: %w", err)
	}
	c.OpenBefore = int(before)
	for _, d := range []struct {
		col  string
		into map[incident.Date]int
	}{{"corrective_actions.created_at", c.Opened}, {closedAtExpr, c.Closed}} {
		var rows []dayCount
		err := s.metricsQuery(ctx, f, false).
			Where("("+d.col+") >= ? AND ("+d.col+") < ?", start, end).
			Select(s.dayOf("("+d.col+")") + " AS d, count(*) AS n").Group("d").Scan(&rows).Error
		if err != nil {
			return c, fmt.Errorf("store: burndown by day: %w", err)
		}
		for _, r := range rows {
			d.into[incident.Date(r.Day)] += r.N
		}
	}
	return c, nil
}

// dayOf is the SQL for the UTC day (YYYY-MM-DD) of the time expression expr.
func (s *Store) dayOf(expr string) string {
	if s.dialect == DialectPostgres {
		return "to_char(" + expr + " AT TIME ZONE 'UTC', 'YYYY-MM-DD')"
	}
	return "substr(" + expr + ", 1, 10)" // times are stored as UTC RFC 3339 text
}
