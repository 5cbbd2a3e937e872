package store

import (
	"context"
	"fmt"
	"time"

	"github.com/hindsightrca/hindsight/internal/incident"
)

// closedAtExpr is when an action was closed (done or won't do): its
// completed_at, or its last update for a closed action without one; NULL
// for an action still open or in progress. It is written exactly as the
// expression of corrective_actions_closed_at_idx (migration 00017), so
// that both databases use the index.
const closedAtExpr = "(CASE WHEN status IN ('done', 'wont_do') THEN COALESCE(completed_at, updated_at) END)"

// dayCount is one row of a GROUP BY day.
type dayCount struct {
	Day dbDate `gorm:"column:d"` // the SQLite driver may hand a YYYY-MM-DD text over as a time
	N   int    `gorm:"column:n"`
	// Early counts those of the day closed before they were created.
	Early int `gorm:"column:early"`
}

// ActionBurndownCounts counts what the burn-down of the days from..to is
// drawn from: the actions f selects (its team, service, severity, owner and
// viewer; not its created range) open at the start of from, and those
// created and closed on each day up to to. totals, when given, are the
// counts by status of the same actions (ActionMetrics' without a created
// range); else they are counted here.
//
// Open at the start S is counted from its complement, so that only the
// actions created or closed from S on are read (S is recent): created
// before S and not closed before S = all − created from S − closed +
// closed from S + closed before S among those created from S.
func (s *Store) ActionBurndownCounts(ctx context.Context, f incident.ActionMetricsFilter, from, to incident.Date,
	totals *incident.StatusCounts) (incident.BurndownCounts, error) {
	c := incident.BurndownCounts{Opened: map[incident.Date]int{}, Closed: map[incident.Date]int{}}
	start := dbTime(time.Date(from.Year, from.Month, from.Day, 0, 0, 0, 0, time.UTC))
	end := dbTime(time.Date(to.Year, to.Month, to.Day, 0, 0, 0, 0, time.UTC).AddDate(0, 0, 1))
	unranged := f
	unranged.From, unranged.To = nil, nil
	if totals == nil && rollupsServe(unranged) {
		// Only a created range: the rollups count the same actions without
		// reading them all.
		m := incident.ActionMetrics{ByTeam: map[string]incident.StatusCounts{}, ByOwner: map[string]incident.StatusCounts{},
			ByPriority: map[string]incident.StatusCounts{}}
		if _, err := s.actionCountsFromRollups(ctx, unranged, &m); err != nil {
			return c, err
		}
		totals = &m.Counts
	}
	var all, closed int
	if totals != nil {
		all, closed = totals.Open+totals.InProgress+totals.Done+totals.WontDo, totals.Done+totals.WontDo
	} else {
		var t struct {
			All    int `gorm:"column:a"`
			Closed int `gorm:"column:c"`
		}
		err := s.metricsQuery(ctx, f, false).
			Select("count(*) AS a, COALESCE(SUM(CASE WHEN status IN ('done', 'wont_do') THEN 1 ELSE 0 END), 0) AS c").Scan(&t).Error
		if err != nil {
			return c, fmt.Errorf("store: burndown totals: %w", err)
		}
		all, closed = t.All, t.Closed
	}
	var recent struct {
		Created      int `gorm:"column:created"`
		ClosedBefore int `gorm:"column:closed_before"`
	}
	err := s.metricsQuery(ctx, f, false).Where("corrective_actions.created_at >= ?", start).
		Select("count(*) AS created, COALESCE(SUM(CASE WHEN "+closedAtExpr+" < ? THEN 1 ELSE 0 END), 0) AS closed_before", start).
		Scan(&recent).Error
	var closedSince int64
	if err == nil {
		err = s.metricsQuery(ctx, f, false).Where(closedAtExpr+" >= ?", start).Count(&closedSince).Error
	}
	if err != nil {
		return c, fmt.Errorf("store: burndown open actions: %w", err)
	}
	c.OpenBefore = all - recent.Created - closed + int(closedSince) + recent.ClosedBefore
	// Without filters but the viewer, the days are read from the recent
	// end of these indexes (SQLite, without statistics, may not see it).
	plain := f.Team == "" && f.Owner == "" && f.Service == "" && f.Severity == ""
	// An action closed before it was created (a ticket closed before the
	// action was written down) counts as closed when it was created, so
	// that it is never closed while not open: the created days add these
	// ("early"), the closed days take them out of the day they name. The
	// open count at the start already reads closed before it as created
	// and closed before it.
	early := "COALESCE(SUM(CASE WHEN " + closedAtExpr + " < corrective_actions.created_at THEN 1 ELSE 0 END), 0) AS early"
	for _, d := range []struct {
		col, idx string
		into     map[incident.Date]int
		early    int // what the early ones add to Closed on the day
	}{{"corrective_actions.created_at", "corrective_actions_created_at_idx", c.Opened, 1},
		{closedAtExpr, "corrective_actions_closed_at_idx", c.Closed, -1}} {
		var rows []dayCount
		q := s.metricsQuery(ctx, f, false)
		if plain {
			q = s.indexed(q, d.idx)
		}
		err := q.
			Where("("+d.col+") >= ? AND ("+d.col+") < ?", start, end).
			Select(s.dayOf("("+d.col+")") + " AS d, count(*) AS n, " + early).Group("d").Scan(&rows).Error
		if err != nil {
			return c, fmt.Errorf("store: burndown by day: %w", err)
		}
		for _, r := range rows {
			d.into[incident.Date(r.Day)] += r.N
			if r.Early != 0 {
				c.Closed[incident.Date(r.Day)] += d.early * r.Early
			}
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

// dateOf is the SQL for the UTC day of the time expression expr, comparable
// with a date column.
func (s *Store) dateOf(expr string) string {
	if s.dialect == DialectPostgres {
		return "(" + expr + " AT TIME ZONE 'UTC')::date"
	}
	return "substr(" + expr + ", 1, 10)"
}
