package app

import (
	"context"

	"github.com/hindsightrca/hindsight/internal/incident"
)

// IncidentMetrics computes the incidents dashboard over the incidents the
// caller may see, with "resolved N days ago" judged against now.
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
	return a.store.IncidentMetrics(ctx, f)
}
