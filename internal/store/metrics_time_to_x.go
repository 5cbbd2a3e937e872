package store

import (
	"context"
	"fmt"
	"time"

	"github.com/hindsightrca/hindsight/internal/incident"
)

// lifecycleIntervals are the SQL of the intervals of incident.Durations in
// microseconds (NULL when either end is unknown), PostgreSQL only: to
// detect, to acknowledge (from detection, or from the start when
// detection is unknown), to mitigate and to resolve.
var lifecycleIntervals = []string{
	"incidents.detected_at - incidents.started_at",
	"incidents.acknowledged_at - COALESCE(incidents.detected_at, incidents.started_at)",
	"incidents.mitigated_at - incidents.started_at",
	"incidents.resolved_at - incidents.started_at",
}

// timeToXGroup is one group (a month, or a severity) of the GROUPING SETS
// query; N, P50 and P90 per interval, in microseconds.
type timeToXGroup struct {
	Month    *string `gorm:"column:month"`
	Severity *string `gorm:"column:severity"`
	N0       int     `gorm:"column:n0"`
	N1       int     `gorm:"column:n1"`
	N2       int     `gorm:"column:n2"`
	N3       int     `gorm:"column:n3"`
	P500     *int64  `gorm:"column:p50_0"`
	P501     *int64  `gorm:"column:p50_1"`
	P502     *int64  `gorm:"column:p50_2"`
	P503     *int64  `gorm:"column:p50_3"`
	P900     *int64  `gorm:"column:p90_0"`
	P901     *int64  `gorm:"column:p90_1"`
	P902     *int64  `gorm:"column:p90_2"`
	P903     *int64  `gorm:"column:p90_3"`
}

// timeToXPostgres computes the percentiles in the database: percentile_disc
// is the nearest rank (the first value whose cumulative share reaches p),
// over the microseconds, which the seconds are then computed from as the
// domain computes them from the times.
func (s *Store) timeToXPostgres(ctx context.Context, f incident.IncidentMetricsFilter, month string, m *incident.IncidentMetrics) error {
	cols := month + " AS month, incidents.severity AS severity"
	aggs := "month, severity"
	for i, iv := range lifecycleIntervals {
		cols += fmt.Sprintf(", (extract(epoch FROM %s) * 1000000)::bigint AS us%d", iv, i)
		aggs += fmt.Sprintf(", count(us%[1]d) AS n%[1]d, percentile_disc(0.5) WITHIN GROUP (ORDER BY us%[1]d) AS p50_%[1]d"+
			", percentile_disc(0.9) WITHIN GROUP (ORDER BY us%[1]d) AS p90_%[1]d", i)
	}
	var groups []timeToXGroup
	err := s.conn(ctx).Table("(?) AS lifecycles", s.incidentMetricsQuery(ctx, f).Select(cols)).
		Select(aggs).Group("GROUPING SETS ((month), (severity))").Scan(&groups).Error
	if err != nil {
		return fmt.Errorf("store: incident lifecycles: %w", err)
	}
	byMonth, bySev := map[string]incident.TimeToX{}, map[string]incident.TimeToX{}
	for _, g := range groups {
		t := incident.TimeToX{
			ToDetect:      percentilesUS(g.N0, g.P500, g.P900),
			ToAcknowledge: percentilesUS(g.N1, g.P501, g.P901),
			ToMitigate:    percentilesUS(g.N2, g.P502, g.P902),
			ToResolve:     percentilesUS(g.N3, g.P503, g.P903),
		}
		switch {
		case g.Month != nil:
			byMonth[*g.Month] = t
		case g.Severity != nil:
			bySev[*g.Severity] = t
		}
	}
	for i := range m.PerMonth {
		m.PerMonth[i].TimeToX = byMonth[m.PerMonth[i].Month]
	}
	for _, sev := range incident.Severities {
		m.BySeverity[string(sev)] = bySev[string(sev)]
	}
	return nil
}

// percentilesUS sums up n samples whose p50 and p90 are in microseconds.
func percentilesUS(n int, p50, p90 *int64) incident.Percentiles {
	out := incident.Percentiles{Count: n}
	secs := func(us *int64) *float64 {
		if us == nil || n == 0 {
			return nil
		}
		v := (time.Duration(*us) * time.Microsecond).Seconds()
		return &v
	}
	out.P50, out.P90 = secs(p50), secs(p90)
	return out
}
