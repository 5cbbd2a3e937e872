package app

import (
	"context"

	"github.com/hindsightrca/hindsight/internal/incident"
)

// MaxAuditLimit bounds one page of the audit log.
const MaxAuditLimit = 500

// AuditLog returns one page of the audit log, newest first, and the id to
// pass as Before for the next page (0: no more).
//
// Entries about incidents the caller may not see (viewerFrom) are left out.
func (a *App) AuditLog(ctx context.Context, f incident.AuditFilter) ([]incident.AuditEntry, int64, error) {
	f.Viewer = viewerFrom(ctx)
	if f.Limit <= 0 {
		f.Limit = 100
	}
	f.Limit = min(f.Limit, MaxAuditLimit)
	es, err := a.store.AuditLog(ctx, f)
	if err != nil {
		return nil, 0, err
	}
	var next int64
	if len(es) > f.Limit {
		es = es[:f.Limit]
		next = es[len(es)-1].ID
	}
	return es, next, nil
}
