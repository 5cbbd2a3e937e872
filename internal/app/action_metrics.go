package app

import (
	"context"

	"github.com/hindsightrca/hindsight/internal/dashboard"
	"github.com/hindsightrca/hindsight/internal/incident"
)

// ActionMetrics computes the actions dashboard over the incidents the
// caller may see, with "overdue" judged against today, and its burn-down
// over the filter's range (the last 90 days by default): from the
// dashboards' projection when it is loaded, else in SQL.
func (a *App) ActionMetrics(ctx context.Context, f incident.ActionMetricsFilter) (incident.ActionMetrics, error) {
	f.Viewer = viewerFrom(ctx)
	f.Today = a.Today()
	if f.From != nil && f.To != nil && f.To.Before(*f.From) {
		return incident.ActionMetrics{}, incident.Invalid("to", "must not be before from")
	}
	return fromDashboard(ctx, a, func(p *dashboard.Projection, _ incident.Viewer) (incident.ActionMetrics, error) {
		return p.ActionMetrics(ctx, f)
	}, func() (incident.ActionMetrics, error) { return a.sqlActionMetrics(ctx, f) })
}

// sqlActionMetrics is ActionMetrics computed in SQL (f complete).
func (a *App) sqlActionMetrics(ctx context.Context, f incident.ActionMetricsFilter) (incident.ActionMetrics, error) {
	m, err := a.store.ActionMetrics(ctx, f)
	if err != nil {
		return incident.ActionMetrics{}, err
	}
	from, to := incident.BurndownRange(f.From, f.To, f.Today)
	// Without a created range the counts are of the actions the burn-down
	// draws: they spare it a count.
	var totals *incident.StatusCounts
	if f.From == nil && f.To == nil {
		totals = &m.Counts
	}
	counts, err := a.store.ActionBurndownCounts(ctx, f, from, to, totals)
	if err != nil {
		return incident.ActionMetrics{}, err
	}
	m.Burndown = incident.BuildBurndown(from, to, counts)
	return m, nil
}
