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
	if a.dash != nil {
		m, err := a.dash.IncidentMetrics(ctx, f)
		if a.projected(ctx, err) {
			return m, nil
		}
		if err := ctx.Err(); err != nil {
			return incident.IncidentMetrics{}, err // gone: no SQL for nobody
		}
	}
	return a.store.IncidentMetrics(ctx, f)
}

// projected says whether the projection answered (err is nil); when it
// failed rather than not being loaded (or the request gone), the failure
// is logged. The callers then answer from SQL, unless the request is gone.
func (a *App) projected(ctx context.Context, err error) bool {
	if err != nil && !errors.Is(err, dashboard.ErrNotReady) && ctx.Err() == nil {
		a.log.Warn("Dashboard projection failed; answering from SQL", "error", err)
	}
	return err == nil
}
