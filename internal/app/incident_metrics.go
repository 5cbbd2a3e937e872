package app

import (
	"context"
	"errors"

	"github.com/hindsightrca/hindsight/internal/dashboard"
	"github.com/hindsightrca/hindsight/internal/incident"
)

// IncidentMetrics computes the incidents dashboard over the incidents the
// caller may see, with "resolved N days ago" judged against now: from the
// dashboards' projection when it is loaded, else in SQL.
func (a *App) IncidentMetrics(ctx context.Context, f incident.IncidentMetricsFilter) (incident.IncidentMetrics, error) {
	f.Viewer = viewerFrom(ctx)
	f.Now = a.Now()
	if f.RCADays == 0 {
		f.RCADays = incident.DefaultRCADays
	}
	if f.RCADays < 0 {
		return incident.IncidentMetrics{}, incident.Invalid("rca_days", "must not be negative")
	}
	if f.From != nil && f.To != nil && f.To.Before(*f.From) {
		return incident.IncidentMetrics{}, incident.Invalid("to", "must not be before from")
	}
	return fromDashboard(ctx, a, func(p *dashboard.Projection, _ incident.Viewer) (incident.IncidentMetrics, error) {
		return p.IncidentMetrics(ctx, f)
	}, func() (incident.IncidentMetrics, error) { return a.store.IncidentMetrics(ctx, f) })
}

// fromDashboard answers from the dashboards' projection (dash) when it is
// loaded, else in SQL (sql). A request gone away gets its context's error,
// not a second try in SQL; a projection that failed, rather than not being
// loaded yet, is logged.
func fromDashboard[T any](ctx context.Context, a *App, dash func(p *dashboard.Projection, v incident.Viewer) (T, error),
	sql func() (T, error)) (T, error) {
	if a.dash != nil {
		v, err := dash(a.dash, viewerFrom(ctx))
		if err == nil {
			return v, nil
		}
		if ctx.Err() != nil {
			var zero T
			return zero, ctx.Err()
		}
		if !errors.Is(err, dashboard.ErrNotReady) {
			a.log.Warn("Dashboard projection failed; answering from SQL", "error", err)
		}
	}
	return sql()
}
