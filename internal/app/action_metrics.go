package app

import (
	"context"

	"github.com/hindsightrca/hindsight/internal/incident"
)

// ActionMetrics computes the actions dashboard over the incidents the
// caller may see, with "overdue" judged against today.
func (a *App) ActionMetrics(ctx context.Context, f incident.ActionMetricsFilter) (incident.ActionMetrics, error) {
	f.Viewer = viewerFrom(ctx)
	f.Today = a.Today()
	if f.From != nil && f.To != nil && f.To.Before(*f.From) {
		return incident.ActionMetrics{}, incident.Invalid("to", "must not be before from")
	}
	return a.store.ActionMetrics(ctx, f)
}
